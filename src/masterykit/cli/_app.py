"""The ``masterykit`` command group and the one place where failures become exit codes."""

from __future__ import annotations

import os
import re
import sys
import traceback
from collections.abc import Sequence
from typing import Any

import click

from masterykit._version import __version__
from masterykit.cli._common import (
    EXIT_OK,
    EXIT_PROBLEM,
    EXIT_USAGE,
    CliError,
    emit_diagnostics,
)
from masterykit.diagnostics import Diagnostic, MasteryError

__all__ = ["MasteryGroup", "cli", "silence_stdout", "usage_diagnostic"]

_QUOTED = re.compile(r"'([^']*)'")
_EXTRA = re.compile(r"Got unexpected extra argument(s?) \((.*)\)")


def _backticks(text: str) -> str:
    """Click's ``'name'`` quoting in our ``name`` style, lower-cased and without a final period."""
    text = _QUOTED.sub(r"`\1`", text.strip()).rstrip(".")
    return text[:1].lower() + text[1:]


def _command_path(error: click.UsageError) -> str:
    return error.ctx.command_path if error.ctx is not None else "masterykit"


def _help_hint(error: click.UsageError) -> str:
    return f"see `{_command_path(error)} --help`"


def usage_diagnostic(error: click.UsageError) -> Diagnostic:
    """One of click's usage errors as a diagnostic in the house style (``MK400``–``MK403``)."""
    command = _command_path(error)
    if isinstance(error, click.exceptions.NoSuchCommand):
        help = _help_hint(error)
        if error.possibilities:
            help = f"did you mean `{error.possibilities[0]}`? {help}"
        return Diagnostic("MK401", f"unknown command `{error.command_name}`", help=help)
    if isinstance(error, click.exceptions.NoSuchOption):
        help = _help_hint(error)
        if error.possibilities:
            help = f"did you mean `{error.possibilities[0]}`? {help}"
        return Diagnostic(
            "MK400", f"unknown option `{error.option_name}` for `{command}`", help=help
        )
    if isinstance(error, click.MissingParameter):
        param = error.param
        if isinstance(param, click.Option):
            name = max(param.opts, key=len)
            metavar = param.make_metavar(error.ctx) if error.ctx is not None else "VALUE"
            what = f"`{name} {metavar}`"
        elif param is not None:
            what = f"`{(param.human_readable_name or 'ARGUMENT').upper()}`"
        else:  # pragma: no cover - click always names the parameter
            what = "more arguments"
        return Diagnostic("MK402", f"`{command}` needs {what}", help=_help_hint(error))
    if isinstance(error, click.BadParameter):
        param = error.param
        if param is not None and isinstance(param.type, click.Choice):
            if isinstance(param, click.Option):
                name = max(param.opts, key=len)
            else:
                name = (param.name or "argument").upper()
            choices = ", ".join(f"`{c}`" for c in param.type.choices)
            given = _QUOTED.match(error.message)
            found = f", not `{given.group(1)}`" if given else ""
            return Diagnostic(
                "MK403",
                f"`{name}` must be one of {choices}{found}",
                help=_help_hint(error),
            )
        hint = error.param_hint or (
            param.get_error_hint(error.ctx) if param is not None and error.ctx else None
        )
        where = f" for {_backticks(str(hint))}" if hint else ""
        return Diagnostic(
            "MK403", f"invalid value{where}: {_backticks(error.message)}", help=_help_hint(error)
        )
    extra = _EXTRA.fullmatch(error.format_message().strip())
    if extra:
        words = ", ".join(f"`{word}`" for word in extra.group(2).split())
        return Diagnostic(
            "MK403",
            f"unexpected argument{extra.group(1)} {words} for `{command}`",
            help=_help_hint(error),
        )
    return Diagnostic("MK403", _backticks(error.format_message()), help=_help_hint(error))


def _wants_debug(args: Sequence[str]) -> bool:
    if os.environ.get("MASTERYKIT_DEBUG"):
        return True
    options = list(args)
    if "--" in options:
        options = options[: options.index("--")]
    return "--debug" in options


class MasteryGroup(click.Group):
    """A click group that reports every failure as a diagnostic and an exit status.

    Usage errors exit 2, :class:`~masterykit.diagnostics.MasteryError` (a policy or data
    problem, an output that cannot be written, or standard output closed early) exits 1, and an
    unexpected exception exits 2 with ``MK449`` (``--debug`` shows the traceback).
    This runs both for the installed script and for click's test runner.
    """

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the command line; exit (or, with ``standalone_mode=False``, return) its status."""
        argv = list(sys.argv[1:] if args is None else args)
        status = self._run(argv, prog_name or "masterykit", complete_var, **extra)
        if standalone_mode:
            sys.exit(status)
        return status

    def _run(self, argv: list[str], prog_name: str, complete_var: str | None, **extra: Any) -> int:
        try:
            result = super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as error:
            click.echo(error.format_message(), err=True)
            return EXIT_USAGE
        except click.UsageError as error:
            emit_diagnostics([usage_diagnostic(error)], err=True)
            return EXIT_USAGE
        except CliError as error:
            emit_diagnostics(error.diagnostics, error.sources, err=True)
            return error.status
        except MasteryError as error:
            emit_diagnostics(error.diagnostics, error.sources, err=True)
            return EXIT_PROBLEM
        except (click.Abort, KeyboardInterrupt, EOFError):
            click.echo("interrupted", err=True)
            return 130
        except BrokenPipeError:  # pragma: no cover - click reports it first (exit 1)
            silence_stdout()
            return EXIT_PROBLEM
        except click.ClickException as error:  # pragma: no cover - we raise no other kinds
            emit_diagnostics([Diagnostic("MK403", _backticks(error.format_message()))], err=True)
            return EXIT_USAGE
        except Exception as error:
            if _wants_debug(argv):
                traceback.print_exc()
            detail = f"{type(error).__name__}: {error}"
            emit_diagnostics(
                [
                    Diagnostic(
                        "MK449",
                        f"masterykit stopped because of a bug ({detail})",
                        help="please report it with the output of the same command run "
                        "with `--debug`",
                    )
                ],
                err=True,
            )
            return EXIT_USAGE
        return result if isinstance(result, int) else EXIT_OK


def silence_stdout() -> None:
    """Point standard output at the null device, so that nothing more is written to a pipe
    whose reader has gone (not even Python's last flush)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # pragma: no cover - not a real file descriptor
        pass


@click.group(
    cls=MasteryGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(
    __version__, "--version", "-V", prog_name="masterykit", message="%(prog)s %(version)s"
)
@click.option(
    "--debug",
    is_flag=True,
    expose_value=False,
    help="Show a Python traceback if masterykit itself fails (for bug reports).",
)
def cli() -> None:
    """Check, format, test and run competency-based (mastery) education policies.

    \b
    Exit status: 0 success; 1 policy or data problems, or failed policy tests;
    2 usage errors (bad flags, missing files).
    Set NO_COLOR to turn colour off.
    """
