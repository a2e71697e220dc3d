-- A data team's hand-written DuckDB SQL for benchmarks/policy.mastery ("Benchmark High School"
-- 2026.1): the query masterykit's batch run is measured against (benchmarks/baseline_warehouse.py).
-- Placeholders: {evidence} {learners} {as_of} {threads} {out_comp} {out_learn}
-- Semantics follow benchmarks/baseline_python.py and the language reference:
--  * evidence after as-of ignored; "within 2 years" = [as_of - 24 months (clamped), as_of]
--  * order by (day, score); decaying_average(75%): avg <- .75*s + .25*avg, written as a weighted
--    sum: latest-first rank r (0 = latest) gets .75*.25^r, the oldest counted gets .25^(n-1);
--    exact in binary floating point for these half-point scores, so round(x, 2) (half away from
--    zero) equals the contract's decimal rounding.
--  * habits: mode, ties to the highest score; cut 3 on both scales.
--  * pace: first-proficient date = first evidence day d on which, with evidence up to d and the
--    window [d - 24 months, d], the competency was proficient (range self-join).
--  * thresholds such as ceil(75% of 9) are written out by hand: this SQL is not generic.
SET threads = {threads};
SET preserve_insertion_order = false;

CREATE OR REPLACE TEMP TABLE comp AS
SELECT CAST(row_number() OVER () AS INTEGER) AS cid, code,
       split_part(code, '.', 1) AS area,
       CASE WHEN code LIKE 'HOW.%' THEN code ELSE split_part(code, '.', 1) || '.' || split_part(code, '.', 2) END AS unit,
       code LIKE 'HOW.%' AS habit,
       split_part(code, '.', 1) IN ('MATH', 'ELA', 'SCI', 'SOC') AS grad_set
FROM (SELECT unnest([
  'MATH.A.1','MATH.A.2','MATH.A.3','MATH.B.1','MATH.B.2','MATH.B.3','MATH.C.1','MATH.C.2','MATH.C.3',
  'ELA.A.1','ELA.A.2','ELA.A.3','ELA.B.1','ELA.B.2','ELA.B.3','ELA.C.1','ELA.C.2','ELA.C.3',
  'SCI.A.1','SCI.A.2','SCI.A.3','SCI.B.1','SCI.B.2','SCI.B.3','SCI.C.1','SCI.C.2','SCI.C.3',
  'SOC.A.1','SOC.A.2','SOC.A.3','SOC.B.1','SOC.B.2','SOC.B.3','SOC.C.1','SOC.C.2','SOC.C.3',
  'ART.A.1','ART.A.2','ART.A.3','ART.B.1','ART.B.2','ART.B.3','ART.C.1','ART.C.2','ART.C.3',
  'WL.A.1','WL.A.2','WL.A.3','WL.B.1','WL.B.2','WL.B.3','WL.C.1','WL.C.2','WL.C.3',
  'HOW.1','HOW.2','HOW.3','HOW.4','HOW.5','HOW.6']) AS code);

-- learners (a dimension table): a dense integer id per learner, so that evidence is keyed by one
-- integer (lid * 64 + cid) instead of two strings; evidence of unknown learners or competencies
-- is dropped (the engine rejects it)
CREATE OR REPLACE TEMP TABLE lrn AS
SELECT CAST(row_number() OVER () AS BIGINT) AS lid, *
FROM read_csv('{learners}', header = true, auto_detect = false,
    columns = {{'learner': 'VARCHAR', 'graduation_date': 'DATE', 'iep': 'BOOLEAN',
                'ell': 'BOOLEAN', 'cte_hours': 'DOUBLE'}});

-- 1. read and rank every usable piece of evidence: k = position in (day, score) order,
--    n_all = pieces of that learner on that competency (so n_all - k = pieces after this one)
CREATE OR REPLACE TEMP TABLE ranked AS
SELECT l.lid * 64 + c.cid AS key, e.score, e.day, e.kind,
       row_number() OVER (PARTITION BY l.lid * 64 + c.cid ORDER BY e.day, e.score) AS k,
       count(*) OVER (PARTITION BY l.lid * 64 + c.cid) AS n_all
FROM read_csv('{evidence}', header = true, auto_detect = false,
              columns = {{'learner': 'VARCHAR', 'competency': 'VARCHAR', 'score': 'DOUBLE',
                          'day': 'DATE', 'kind': 'VARCHAR'}}) e
JOIN comp c ON c.code = e.competency
JOIN lrn l ON l.learner = e.learner
WHERE e.day <= DATE '{as_of}' AND e.score BETWEEN 1 AND 4;

-- 2. each competency as of the as-of date (one pass; "from at least 2 kinds" is min(kind) < max(kind))
CREATE OR REPLACE TEMP TABLE status AS
WITH agg AS (
  SELECT key,
         count(*) FILTER (cnt) AS n,
         coalesce(min(kind) FILTER (cnt) < max(kind) FILTER (cnt), false) AS kinds2,
         coalesce(bool_or(kind IN ('performance_task', 'common_assessment')) FILTER (cnt), false) AS key_kind,
         round(0.75 * sum(score * pow(0.25, n_all - k)) FILTER (cnt)
               + 0.25 * pow(0.25, count(*) FILTER (cnt) - 1) * arg_min(score, k) FILTER (cnt), 2) AS dec_score
  FROM (SELECT *, day >= CAST(DATE '{as_of}' - INTERVAL 24 MONTH AS DATE) AS cnt FROM ranked)
  GROUP BY ALL
),
modes AS (  -- habits: most frequent counted score, ties to the highest
  SELECT key, arg_max(score, c * 1000 + score) AS mode_score
  FROM (SELECT key, score, count(*) AS c FROM ranked
        WHERE day >= CAST(DATE '{as_of}' - INTERVAL 24 MONTH AS DATE)
          AND key % 64 IN (SELECT cid FROM comp WHERE habit)
        GROUP BY ALL)
  GROUP BY ALL
)
SELECT a.key, a.key // 64 AS lid, c.code AS competency, c.area, c.unit, c.habit, c.grad_set, s.score,
       CASE WHEN a.n = 0 THEN 'insufficient'
            WHEN (c.habit AND a.n >= 2) OR (NOT c.habit AND a.n >= 3 AND a.kinds2 AND a.key_kind)
              THEN CASE WHEN s.score >= 3 THEN 'proficient' ELSE 'developing' END
            ELSE 'insufficient' END AS status
FROM agg a JOIN comp c ON c.cid = a.key % 64
LEFT JOIN modes m USING (key)
CROSS JOIN LATERAL (SELECT CASE WHEN c.habit THEN m.mode_score ELSE a.dec_score END AS score) s;

-- 3. first-proficient dates of proficient graduation_set competencies (pace): evaluate the
--    competency as of each of its evidence days d, window [d - 24 months, d]
CREATE OR REPLACE TEMP TABLE recent AS
WITH items AS (
  SELECT r.* FROM ranked r
  SEMI JOIN (SELECT key FROM status WHERE grad_set AND status = 'proficient') c USING (key)
),
days AS (
  SELECT key, day AS d, max(k) AS e_d FROM items GROUP BY ALL
),
at_day AS (
  SELECT d.key, d.d,
         round(0.75 * sum(i.score * pow(0.25, d.e_d - i.k))
               + 0.25 * pow(0.25, count(*) - 1) * arg_min(i.score, i.k), 2) AS score,
         count(*) AS n, coalesce(min(i.kind) < max(i.kind), false) AS kinds2,
         coalesce(bool_or(i.kind IN ('performance_task', 'common_assessment')), false) AS key_kind
  FROM days d JOIN items i
    ON i.key = d.key AND i.day <= d.d AND i.day >= CAST(d.d - INTERVAL 24 MONTH AS DATE)
  GROUP BY ALL
)
SELECT key // 64 AS lid, count(*) AS recent
FROM (SELECT key, min(d) AS first_d FROM at_day
      WHERE n >= 3 AND kinds2 AND key_kind AND score >= 3 GROUP BY ALL)
WHERE first_d BETWEEN CAST(DATE '{as_of}' - INTERVAL 6 MONTH AS DATE) AND DATE '{as_of}'
GROUP BY ALL;

-- 4. per-learner decisions
CREATE OR REPLACE TEMP TABLE decisions AS
WITH cnt AS (
  SELECT lid,
    count(*) FILTER (area = 'MATH' AND status = 'proficient') AS math_p,
    count(*) FILTER (area = 'MATH' AND status <> 'insufficient' AND score >= 2) AS math_r2,
    count(*) FILTER (area = 'ELA' AND status = 'proficient') AS ela_p,
    count(*) FILTER (unit = 'SCI.A' AND status = 'proficient') AS scia_p,
    count(*) FILTER (unit IN ('SCI.B', 'SCI.C') AND status <> 'insufficient' AND score >= 3) AS lab_r3,
    count(*) FILTER (area = 'SOC' AND status = 'proficient') AS soc_p,
    count(*) FILTER (area = 'ART' AND status <> 'insufficient' AND score >= 4) AS art_r4,
    count(*) FILTER (area = 'ART' AND status = 'proficient') AS art_p,
    count(*) FILTER (area = 'WL' AND status <> 'insufficient' AND score >= 2) AS wl_r2,
    count(*) FILTER (habit AND status <> 'insufficient' AND score >= 3) AS how_r3,
    count(*) FILTER (habit AND status <> 'insufficient' AND score >= 2) AS how_r2,
    count(*) FILTER (unit = 'MATH.A' AND status = 'proficient') AS alg_p,
    count(*) FILTER (unit = 'MATH.A' AND status <> 'insufficient' AND score >= 3) AS alg_r3,
    count(*) FILTER (unit = 'MATH.B' AND status = 'proficient') AS geo_p,
    count(*) FILTER (NOT habit AND status <> 'insufficient' AND score >= 2) AS acad_r2,
    count(*) FILTER (grad_set AND status = 'proficient') AS grad_p
  FROM status GROUP BY ALL
),
req AS (
  SELECT l.learner, l.graduation_date, l.iep, l.ell, l.cte_hours,
    coalesce(c.math_p, 0) >= 7 AND coalesce(c.math_r2, 0) = 9 AS mathematics,
    coalesce(c.ela_p, 0) >= 7 AS english,                      -- ceil(75% of 9)
    coalesce(c.scia_p, 0) = 3 AND coalesce(c.lab_r3, 0) >= 4 AS science,
    coalesce(c.soc_p, 0) >= 6 AS social_studies,
    coalesce(c.art_r4, 0) >= 1 AND coalesce(c.art_p, 0) >= 3 AS arts,
    coalesce(c.wl_r2, 0) >= 5 AS world_languages,              -- ceil(50% of 9)
    coalesce(c.how_r3, 0) >= 4 AND coalesce(c.how_r2, 0) = 6 AS habits_of_work,
    coalesce(c.alg_p, 0) = 3 AS alg_all,
    l.cte_hours IS NOT NULL AND l.cte_hours >= 120 AND coalesce(c.wl_r2, 0) >= 3 AS career_ready,
    coalesce(c.alg_p, 0) = 3 AS adv_algebra_geometry,
    coalesce(c.geo_p, 0) = 3 AND coalesce(c.alg_r3, 0) = 3 AS adv_geometry_algebra2,
    coalesce(c.scia_p, 0) >= 2 AS adv_biology_chemistry,
    coalesce(c.acad_r2, 0) >= 44 AS acad80,                    -- ceil(80% of 54)
    36 - coalesce(c.grad_p, 0) AS remaining,
    coalesce(r.recent, 0) AS recent
  FROM lrn l
  LEFT JOIN cnt c USING (lid)
  LEFT JOIN recent r USING (lid)
),
dec AS (
  SELECT *,
    mathematics AND english AND (science OR social_studies) AS core,
    alg_all AND science AND NOT coalesce(ell, false) AS stem,
    CASE WHEN iep THEN CAST(graduation_date + INTERVAL 12 MONTH AS DATE) ELSE graduation_date END AS due,
    CASE WHEN recent > 0
         THEN DATE '{as_of}' + CAST((remaining * (DATE '{as_of}' - CAST(DATE '{as_of}' - INTERVAL 6 MONTH AS DATE)) + recent - 1) // recent AS INTEGER)
    END AS projected
  FROM req
)
SELECT learner, mathematics, english, science, social_studies, arts, world_languages,
       habits_of_work, core, stem, career_ready,
       adv_algebra_geometry, adv_geometry_algebra2, adv_biology_chemistry,
       core AND habits_of_work AND acad80 AND (stem OR (arts AND world_languages) OR career_ready) AS graduation,
       concat_ws('|', CASE WHEN stem THEN 'STEM' END,
                      CASE WHEN arts AND world_languages THEN 'Arts and languages' END,
                      CASE WHEN career_ready THEN 'Career' END) AS pathways,
       CASE WHEN remaining = 0 THEN 'complete'
            WHEN due IS NULL THEN 'unknown'
            WHEN recent = 0 THEN 'off_track'
            WHEN projected <= due THEN 'on_track'
            WHEN projected <= CAST(due + INTERVAL 3 MONTH AS DATE) THEN 'at_risk'
            ELSE 'off_track' END AS pace,
       CASE WHEN remaining > 0 AND due IS NOT NULL THEN projected END AS projected
FROM dec;

COPY (SELECT l.learner, s.competency, s.status, s.score FROM status s JOIN lrn l USING (lid)) TO '{out_comp}' (HEADER);
COPY decisions TO '{out_learn}' (HEADER);
