"""LaTeX formulas as Word equations (Office Math Markup, ``m:oMath``), for the Word copy.

The book's formulas (the method chapter) use a small part of LaTeX: ``\\frac``, ``\\text``,
sub- and superscripts, parentheses, ``\\qquad`` and a few symbols. This converter knows exactly
that part and refuses the rest (:class:`UnsupportedLatex`), so a new construct shows up as a
failing test instead of a wrong equation. Word, WPS and LibreOffice read the result as
equations they can edit. (The PyPI packages that go from LaTeX to OMML go through MathML and
an unmaintained MathML→OMML step; a page of code is easier to keep.)
"""

from __future__ import annotations

import re

from lxml import etree

from planbook.errors import BuildError

M = "http://schemas.openxmlformats.org/officeDocument/2006/math"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
BODY_PT = 16  # the Word copy's body size (planbook.book.docx.BODY_PT)

# Commands that stand for one character (or spacing) in the equation.
SYMBOLS = {
    "qquad": "\u2003\u2003", "quad": "\u2003", ",": "\u2009", ";": "\u2005", ":": "\u2005", "!": "",
    " ": " ", "cdot": "⋅", "times": "×", "div": "÷", "pm": "±", "mp": "∓", "le": "≤", "leq": "≤",
    "ge": "≥", "geq": "≥", "ne": "≠", "neq": "≠", "approx": "≈", "sum": "∑", "infty": "∞",
    "ldots": "…", "cdots": "⋯", "%": "%", "{": "{", "}": "}", "alpha": "α", "beta": "β",
    "gamma": "γ", "delta": "δ", "Delta": "Δ", "sigma": "σ", "mu": "μ", "lambda": "λ",
}
# Characters written differently in an equation than in the source.
CHARACTERS = {"-": "−", "*": "∗", "'": "′"}
_TOKEN = re.compile(r"\\([A-Za-z]+|.)|([{}^_])|(\s+)|(.)", re.S)


class UnsupportedLatex(BuildError, ValueError):
    """A construct the converter does not know (the message names it and the formula); the
    command line reports it as a failed build, like a LaTeX error."""


def _m(tag: str, *children, **attrs):
    el = etree.Element(f"{{{M}}}{tag}", nsmap={"m": M})
    for key, value in attrs.items():
        el.set(f"{{{M}}}{key}", value)
    for child in children:
        el.append(child)
    return el


def _run(text: str, plain: bool = False):
    """An equation run in the body's size (3号); ``plain``: upright text (``\\text``), as a
    word in the sentence."""
    run = _m("r")
    if plain:
        run.append(_m("rPr", _m("nor"), _m("sty", val="p")))
    props = etree.SubElement(run, f"{{{W_NS}}}rPr", nsmap={"w": W_NS})
    fonts = etree.SubElement(props, f"{{{W_NS}}}rFonts")
    for attr in ("ascii", "hAnsi"):
        fonts.set(f"{{{W_NS}}}{attr}", "Cambria Math")
    for tag in ("sz", "szCs"):
        etree.SubElement(props, f"{{{W_NS}}}{tag}").set(f"{{{W_NS}}}val", str(2 * BODY_PT))
    t = etree.SubElement(run, f"{{{M}}}t")
    t.text = text
    if text != text.strip():
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return run


def _text(el) -> str | None:
    return el.findtext(f"{{{M}}}t") if el.tag == f"{{{M}}}r" else None


def _base(out: list):
    """What a script attaches to, taken off the end of ``out``: the last element, or a whole
    parenthesis — ``(v / v_0)^{…}`` — as one delimiter (Word grows the parentheses to fit)."""
    if not out:
        return _run("")
    if _text(out[-1]) != ")":
        return out.pop()
    depth = 0
    for k in range(len(out) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(_text(out[k]), 0)
        if depth == 0:
            inner = out[k + 1:-1]
            del out[k:]
            return _m("d", _m("dPr", _m("begChr", val="("), _m("endChr", val=")")), _m("e", *inner))
    return out.pop()


class _Parser:
    def __init__(self, latex: str):
        self.latex = latex
        self.tokens = [(m.group(1), m.group(2), m.group(3), m.group(4)) for m in _TOKEN.finditer(latex)]
        self.pos = 0

    def fail(self, what: str):
        raise UnsupportedLatex(f"Word copy: {what} in the formula {self.latex.strip()!r}; the converter to Word "
                               "equations (planbook.book.omml) knows \\frac, \\text, sub- and superscripts, "
                               "braces and the symbols listed there")

    def peek(self):
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self):
        token = self.peek()
        self.pos += 1
        return token

    def sequence(self, closing: bool = False) -> list:
        """Elements up to the end (or the closing brace of a group)."""
        out: list = []
        while True:
            token = self.peek()
            if token is None:
                if closing:
                    self.fail("an unclosed {")
                return out
            command, special, space, char = token
            if special == "}":
                if not closing:
                    self.fail("an unmatched }")
                self.take()
                return out
            if space:
                self.take()
                continue
            if special in ("^", "_"):
                self.take()
                out.append(self.script(_base(out), special))
                continue
            out.extend(self.atom())

    def atom(self) -> list:
        command, special, space, char = self.take()
        if special == "{":
            return [self.group_of(self.sequence(closing=True))]
        if char is not None:
            return [_run(CHARACTERS.get(char, char))]
        if command == "frac":
            num, den = self.argument(), self.argument()
            return [_m("f", _m("num", *num), _m("den", *den))]
        if command in ("text", "mathrm", "textrm", "operatorname"):
            return [_run(self.raw_argument(), plain=True)]
        if command in ("left", "right"):
            return []  # \left( … \right): the parentheses themselves follow as characters
        if command in SYMBOLS:
            return [_run(SYMBOLS[command])] if SYMBOLS[command] else []
        self.fail(f"the command \\{command}")

    def group_of(self, elements: list):
        """A braced group as one base for a script (several elements are kept in order)."""
        if len(elements) == 1:
            return elements[0]
        box = _m("box", _m("e", *elements))
        return box

    def argument(self) -> list:
        while self.peek() is not None and self.peek()[2]:
            self.take()
        token = self.peek()
        if token is None:
            self.fail("a missing argument")
        if token[1] == "{":
            self.take()
            return self.sequence(closing=True)
        return self.atom()

    def raw_argument(self) -> str:
        """The text of ``\\text{…}`` as written (spaces kept, braces balanced)."""
        token = self.take()
        if token is None or token[1] != "{":
            self.fail("\\text without {")
        depth, parts = 1, []
        while True:
            token = self.take()
            if token is None:
                self.fail("an unclosed \\text{")
            command, special, space, char = token
            if special == "{":
                depth += 1
            elif special == "}":
                depth -= 1
                if depth == 0:
                    return "".join(parts)
            parts.append(f"\\{command}" if command and command not in SYMBOLS else
                         SYMBOLS.get(command, "") if command else special or space or char)

    def script(self, base, kind: str):
        arg = self.argument()
        other = "_" if kind == "^" else "^"
        token = self.peek()
        if token is not None and token[1] == other:  # x_0^2 and x^2_0
            self.take()
            second = self.argument()
            sub, sup = (arg, second) if kind == "_" else (second, arg)
            return _m("sSubSup", _m("e", base), _m("sub", *sub), _m("sup", *sup))
        if kind == "_":
            return _m("sSub", _m("e", base), _m("sub", *arg))
        return _m("sSup", _m("e", base), _m("sup", *arg))


def omath(latex: str):
    """The formula as one ``m:oMath`` element (inline in a paragraph)."""
    return _m("oMath", *_Parser(latex).sequence())


def omath_para(latex: str):
    """The formula as a displayed equation (``m:oMathPara``, centred on its own line)."""
    return _m("oMathPara", _m("oMathParaPr", _m("jc", val="center")), omath(latex))
