"""argparse in Chinese: the command line's own words (用法, 选项, 缺少必需的参数 …), and help wrapped by display width.

argparse looks its messages up through the module globals ``argparse._`` and ``argparse.ngettext``, which it binds
at import (``from gettext import gettext as _, ngettext``) to the process-wide gettext of the default domain. The
standard ways in do not reach it cleanly: ``gettext.install`` sets ``builtins._`` only, and a translation for the
default domain would need a compiled ``.mo`` file on disk and the user's locale variables to pick it. So
:class:`ChineseArgumentParser` swaps in :func:`gettext_zh` / :func:`ngettext_zh` (a catalogue keyed by argparse's own
English msgids, exactly as a ``.mo`` file would be) only while one of its methods runs — building a parser, parsing,
formatting help or an error — and puts back what was there afterwards, so other parsers in the process (pytest's,
Airflow's) are untouched. A message missing from the catalogue (a later Python's new wording) stays English; it never
fails. Not thread-safe by design: a command line is parsed once, on the main thread.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from contextlib import contextmanager

# argparse's msgids (Python 3.9–3.13) → Chinese; the %-placeholders are argparse's and must stay
MESSAGES = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "optional arguments": "选项",  # before Python 3.10
    "subcommands": "子命令",
    "show this help message and exit": "显示此帮助并退出",
    "show program's version number and exit": "显示版本号并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "one of the arguments %s is required": "须给出以下参数之一：%s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "expected one argument": "后面须跟一个值",
    "expected at most one argument": "后面最多跟一个值",
    "expected at least one argument": "后面至少跟一个值",
    "invalid %(type)s value: %(value)r": "值无效：%(value)r（应为 %(type)s）",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选择：%(value)r（可选：%(choices)s）",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 有歧义，可能是：%(matches)s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "没有子命令 %(parser_name)r（可选：%(choices)s）",
    "ignored explicit argument %r": "此选项不接受值：%r",
    "unexpected option string: %s": "意外的选项：%s",
    "can't open '%(filename)s': %(error)s": "无法打开“%(filename)s”：%(error)s",
    "cannot have multiple subparser arguments": "只能有一组子命令",
}
PLURALS = {("expected %s argument", "expected %s arguments"): "后面须跟 %s 个值"}


def gettext_zh(message: str) -> str:
    return MESSAGES.get(message, message)


def ngettext_zh(singular: str, plural: str, n: int) -> str:
    return PLURALS.get((singular, plural), singular if n == 1 else plural)


@contextmanager
def chinese():
    """argparse's messages in Chinese for the duration (nested uses restore in order)."""
    if not hasattr(argparse, "_") or not hasattr(argparse, "ngettext"):  # an argparse that no longer works this way
        yield
        return
    saved = argparse._, argparse.ngettext
    argparse._, argparse.ngettext = gettext_zh, ngettext_zh
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved


def width(text: str) -> int:
    """Columns ``text`` takes in a terminal: a Chinese character (or full-width punctuation) takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


_TOKENS = re.compile(r"\s+|[\x21-\x7e]+|.", re.S)  # a space run, an ASCII word (an option, a path) or one character
_NO_LINE_START = set("，。、；：？！）》」』”’…%")  # Chinese typography: these never begin a line


def wrap(text: str, columns: int) -> list[str]:
    """``text`` in lines of at most ``columns`` display columns, breaking between Chinese characters or at spaces.
    An ASCII word is never split unless longer than a line; a closing punctuation mark never begins a line: one may
    hang past the end, more take the character before them to the next line."""
    columns = max(columns, 10)
    lines: list[str] = []
    line: list[str] = []  # the tokens of the line being filled

    def used() -> int:
        return width("".join(line))

    for token in _TOKENS.findall(text):
        if token.isspace():
            if line:
                line.append(" ")
            continue
        w = width(token)
        if line and used() + w > columns:
            carried: list[str] = []
            if token[0] in _NO_LINE_START:
                if used() + w <= columns + 2 and not (line[-1][-1] in _NO_LINE_START and used() > columns):
                    line.append(token)  # hangs one mark past the end
                    continue
                while line and line[-1][0] in _NO_LINE_START:  # the marks already there, and what they follow
                    carried.insert(0, line.pop())
                if line:
                    carried.insert(0, line.pop())
            if "".join(line).strip():
                lines.append("".join(line).rstrip())
            line = carried
            while line and line[0].isspace():
                line.pop(0)
        while w > columns:  # a word longer than a line (a long path): cut it
            head, token = _cut(token, columns - used())
            lines.append(("".join(line) + head).rstrip())
            line, w = [], width(token)
        line.append(token)
    if "".join(line).strip():
        lines.append("".join(line).rstrip())
    return lines


def _cut(token: str, columns: int) -> tuple[str, str]:
    used = 0
    for i, c in enumerate(token):
        used += width(c)
        if used > columns:
            return token[:max(i, 1)], token[max(i, 1):]
    return token, ""


class ChineseHelpFormatter(argparse.HelpFormatter):
    """Help text wrapped by display width (a Chinese line no longer runs past the terminal); line breaks written
    into a description or epilog are kept."""

    def _split_lines(self, text: str, columns: int) -> list[str]:
        return wrap(self._whitespace_matcher.sub(" ", text).strip(), columns)

    def _format_action(self, action: argparse.Action) -> str:
        """An invocation in Chinese (the sub-commands' 命令) is wider than argparse counts: its help moves left."""
        text = super()._format_action(action)
        invocation = self._format_action_invocation(action)
        extra = width(invocation) - len(invocation)
        head = " " * self._current_indent + invocation
        if extra > 0 and text.startswith(head + " " * (extra + 2)):
            text = head + text[len(head) + extra:]
        return text

    def _fill_text(self, text: str, columns: int, indent: str) -> str:
        out = []
        for paragraph in text.strip("\n").split("\n"):
            out.extend(indent + line for line in (wrap(paragraph.strip(), columns - len(indent)) or [""]))
        return "\n".join(out)


class ChineseArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose own words are Chinese (usage, section titles, -h, every error), and whose errors end
    with a pointer to the command's help. Sub-commands are of this class too (argparse makes them of the parent's)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", ChineseHelpFormatter)
        with chinese():  # the section titles and -h's help are made here
            super().__init__(*args, **kwargs)

    def add_subparsers(self, **kwargs):
        with chinese():
            return super().add_subparsers(**kwargs)

    def parse_known_args(self, args=None, namespace=None):
        with chinese():
            return super().parse_known_args(args, namespace)

    def format_usage(self) -> str:
        with chinese():
            return super().format_usage()

    def format_help(self) -> str:
        with chinese():
            text = super().format_help()
        for group in self._action_groups:  # the formatter puts an ASCII colon after a section's title
            if group.title:
                text = text.replace(f"\n{group.title}:\n", f"\n{group.title}：\n")
        return text

    def error(self, message: str):
        with chinese():
            self.print_usage(sys.stderr)
            text = gettext_zh("%(prog)s: error: %(message)s\n") % {"prog": self.prog, "message": message}
        self.exit(2, f"{text}（{self.prog} -h 查看说明）\n")
