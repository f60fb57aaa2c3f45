"""What a commentary file or a phrase of the report may contain: text with MyST structure, nothing more.

The evaluation team's commentary (``commentary/<year>/<chapter>.md``) and a project's phrasebook
override (``words.yaml``) reach the published pages, the PDF and the Word copy. Both are read as
MyST Markdown, which can do far more than text: raw HTML and LaTeX, ``{eval-rst}``, ``{include}``
of any file, ``{download}`` (which copies a file into the site), images from the internet, TeX
that reads files or never ends. None of that belongs in an evaluation's text, so
:func:`problems` parses the text as the book does (myst-parser's own parser, with the book's
extensions) and refuses, with the line and what is allowed:

* raw HTML (``<script>``, ``<img onerror=…>``, ``<iframe>``; an HTML comment alone is fine);
* directives other than :data:`DIRECTIVES` (admonitions, tables, math) — no ``{raw}``,
  ``{eval-rst}``, ``{include}``, ``{literalinclude}``, ``{image}``, ``{figure}``, ``{csv-table}`` …;
  the content of an allowed directive is checked the same way;
* roles other than :data:`ROLES` (the numbers by glue key, sub- and superscripts, references
  inside the book) — no ``{download}``, ``{raw}``, ``{eval-rst}`` …;
* images (nothing is loaded from anywhere: the site works offline and the text is the
  evaluators' words), and links other than ``http(s)``/``mailto`` addresses and ``#anchors``
  (a relative link to a file would publish that file);
* math with a TeX command outside :data:`MATH_COMMANDS` (``\\input``, ``\\def`` …): formulas
  are typeset by TeX, which can read files and loop forever. The TeX runs are sandboxed too
  (:mod:`planbook.site.tex_sandbox`): this check says so before a build starts.

MyST substitutions (``{{ … }}``) are not rendered anywhere in the book (the hand-written pages'
values are filled in by planbook itself, :func:`planbook.book.pages.fill_values`), so braces in
a commentary are text.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Directives a commentary may use; their content is checked like the text around them.
ADMONITIONS = ("note", "tip", "hint", "important", "warning", "caution", "attention", "danger", "error",
               "seealso", "admonition")
DIRECTIVES = (*ADMONITIONS, "list-table", "table", "math", "epigraph", "topic")
# Roles: the chapter's numbers by glue key, sub/superscript, references within the book.
ROLES = ("glue", "glue:text", "glue:md", "sub", "sup", "abbr", "ref", "numref", "eq", "term", "math", "kbd")
# Options of the allowed directives (anything naming a file or a URL is not among them).
OPTIONS = ("class", "name", "header-rows", "stub-columns", "widths", "width", "align", "label", "nowrap", "title")
# TeX commands a formula may use (names without the backslash). Control symbols (\, \; \{ \% …)
# are allowed. Everything else — \input, \def, \csname, \write, \catcode … — is refused.
MATH_COMMANDS = frozenset("""
alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi pi varpi rho
varrho sigma varsigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi
Psi Omega frac dfrac tfrac sqrt sum prod int oint lim log ln exp max min sup inf arg det sin cos tan
times cdot div pm mp le leq ge geq ne neq approx sim simeq equiv propto infty partial nabla to rightarrow
leftarrow Rightarrow Leftarrow leftrightarrow Leftrightarrow mapsto mid ldots cdots dots vdots ddots quad
qquad left right big Big bigg Bigg text textrm mathrm mathbf mathit mathsf mathcal mathbb boldsymbol
operatorname overline underline hat bar tilde vec dot ddot widehat widetilde overbrace underbrace binom
in notin ni subset subseteq supset supseteq cup cap setminus emptyset forall exists neg lnot land lor
circ star ast prime degree percent langle rangle lfloor rfloor lceil rceil vert Vert displaystyle
textstyle begin end bmod pmod cases
""".split())
MATH_ENVIRONMENTS = frozenset({"aligned", "cases", "matrix", "pmatrix", "bmatrix", "array", "gathered", "split"})
_COMMAND = re.compile(r"\\([A-Za-z]+|.)")
_ENVIRONMENT = re.compile(r"\\(?:begin|end)\s*\{([^}]*)\}")
_COMMENT_ONLY = re.compile(r"\s*(<!--(?:(?!-->).)*-->\s*)+", re.S)
_LINK_OK = re.compile(r"(https?://|mailto:|#)", re.I)


@lru_cache(maxsize=1)
def _parser():
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers.mdit import create_md_parser

    # The book's extensions (src/planbook/site/book-defaults.yml), without substitution.
    return create_md_parser(MdParserConfig(enable_extensions={"colon_fence", "dollarmath", "deflist"}),
                            RendererHTML)


def allowed_text() -> str:
    """What may be used, for messages: the directives and roles."""
    return ("text, headings, lists, tables, links to web addresses, $math$, directives "
            + " ".join(f"{{{d}}}" for d in DIRECTIVES[:4]) + " … " + " ".join(f"{{{d}}}" for d in DIRECTIVES[-5:])
            + ", roles " + " ".join(f"{{{r}}}" for r in ROLES[:6]))


def math_problem(tex: str) -> str | None:
    """What is wrong with a formula (None: nothing)."""
    for name in _ENVIRONMENT.findall(tex):
        if name.strip() not in MATH_ENVIRONMENTS:
            return (f"the math environment {name.strip()!r} is not allowed in a formula "
                    f"(allowed: {', '.join(sorted(MATH_ENVIRONMENTS))})")
    for match in _COMMAND.finditer(tex):
        name = match.group(1)
        if name.isalpha() and name not in MATH_COMMANDS:
            return (f"the TeX command \\{name} is not allowed in a formula: formulas may use math "
                    "(\\frac, \\sqrt, \\times, Greek letters, \\text …), not commands that define, read or write")
    return None


def problems(text: str) -> list[tuple[int, str]]:
    """``(line, what is wrong)`` for everything in ``text`` (MyST) that is more than text; lines
    count from 1. Empty when the text may be published."""
    return sorted(set(_check(text, 0)))


def _line_of(lines: list[str], start: int, end: int, needle: str) -> int:
    """The line (0-based) of ``needle`` within lines ``start``..``end`` (``start`` if not found)."""
    for k in range(start, min(end, len(lines))):
        if needle and needle in lines[k]:
            return k
    return start


def _check(text: str, offset: int) -> list[tuple[int, str]]:
    lines = text.split("\n")
    found: list[tuple[int, str]] = []
    for token in _parser().parse(text):
        start, end = token.map if token.map else (0, len(lines))
        line = offset + start + 1
        kind = token.type
        if kind == "html_block":
            if not _COMMENT_ONLY.fullmatch(token.content):
                found.append((line, "raw HTML is not allowed (it would reach the page as it is): write text"))
        elif kind in ("fence", "colon_fence"):
            info = token.info.strip()
            if info.startswith("{"):
                name = info[1:info.index("}")] if "}" in info else info[1:]
                found += _directive(name, token.content, offset + start + 1, line)
                argument = info[info.index("}") + 1:] if "}" in info else ""
                found += [(line, what) for _, what in _check(argument, 0)] if argument.strip() else []
        elif kind == "math_block":
            problem = math_problem(token.content)
            if problem:
                found.append((line, problem))
        elif kind == "inline":
            for child in _flatten(token.children or []):
                found += _inline(child, lines, start, end, offset)
    return found


def _flatten(tokens):
    for t in tokens:
        yield t
        if t.children:
            yield from _flatten(t.children)


def _inline(child, lines: list[str], start: int, end: int, offset: int) -> list[tuple[int, str]]:
    def at(needle: str) -> int:
        return offset + _line_of(lines, start, end, needle) + 1

    kind = child.type
    if kind == "html_inline":
        if _COMMENT_ONLY.fullmatch(child.content):
            return []
        return [(at(child.content), f"raw HTML {child.content[:40]!r} is not allowed (it would reach the page "
                                    "as it is): write text")]
    if kind == "myst_role":
        name = child.meta.get("name", "")
        if name not in ROLES:
            return [(at("{" + name + "}"), f"the role {{{name}}} is not allowed in the evaluation's text "
                                          f"(allowed: {', '.join('{' + r + '}' for r in ROLES)})")]
        if name == "math":
            problem = math_problem(child.content)
            return [(at(child.content[:20]), problem)] if problem else []
        return []
    if kind == "image":
        return [(at(child.attrs.get("src", "") or "!["), "images are not allowed in the evaluation's text "
                                                          "(nothing is loaded from elsewhere; the site works offline)")]
    if kind == "link_open":
        href = str(child.attrs.get("href", ""))
        if not _LINK_OK.match(href):
            return [(at(href), f"the link {href!r} is not allowed: link to a web address (https://…), or refer to "
                               "a section of the book with {ref}`label` (a link to a file would publish the file)")]
        return []
    if kind == "math_inline" or kind == "math_inline_double":
        problem = math_problem(child.content)
        return [(at(child.content[:20]), problem)] if problem else []
    return []


_OPTION = re.compile(r"^\s*:([A-Za-z0-9_-]+):(.*)$")


def _directive(name: str, content: str, first: int, line: int) -> list[tuple[int, str]]:
    """An allowed directive's options and content (checked like text); any other refused."""
    if name not in DIRECTIVES:
        return [(line, f"the directive {{{name}}} is not allowed in the evaluation's text "
                       f"(allowed: {', '.join('{' + d + '}' for d in DIRECTIVES)})")]
    body = content.split("\n")
    found = []
    k = 0
    while k < len(body) and _OPTION.match(body[k]):
        option = _OPTION.match(body[k]).group(1)
        if option not in OPTIONS:
            found.append((first + k + 1, f"the option :{option}: of {{{name}}} is not allowed "
                                         f"(allowed: {', '.join(':' + o + ':' for o in OPTIONS)})"))
        k += 1
    rest = "\n".join(body[k:])
    if name == "math":
        problem = math_problem(rest)
        return found + ([(line, problem)] if problem else [])
    return found + _check(rest, first + k)
