"""The Word copy's equations: the book's LaTeX as Office Math (planbook.book.omml)."""

from __future__ import annotations

import pytest
from lxml import etree

from planbook.book.omml import M, UnsupportedLatex, omath, omath_para


def shape(el) -> str:
    """The equation's structure in short: f(num,den), sSub(e,sub), d(…), runs as their text."""
    tag = etree.QName(el).localname
    if tag == "r":
        return el.findtext(f"{{{M}}}t")
    parts = [shape(c) for c in el if etree.QName(c).localname not in ("rPr", "dPr", "oMathParaPr")]
    return parts[0] if tag in ("e", "num", "den", "sub", "sup") and len(parts) == 1 else f"{tag}({','.join(parts)})"


def test_the_method_formulas():
    completion = omath(r"\text{completion} = \frac{v - v_0}{G - v_0}, \qquad")
    assert shape(completion) == "oMath(completion,=,f(num(v,−,sSub(v,0)),den(G,−,sSub(v,0))),,,\u2003\u2003)"
    plain = completion.find(f"{{{M}}}r/{{{M}}}rPr/{{{M}}}sty")
    assert plain.get(f"{{{M}}}val") == "p"  # \text is upright
    ratio = omath(r"r = \frac{(v / v_0)^{1/(y - Y_0)} - 1}{(G / v_0)^{1/(T - Y_0)} - 1}.")
    # A script on a closing parenthesis takes the whole parenthesis as its base.
    assert shape(ratio).startswith("oMath(r,=,f(num(sSup(d(e(v,/,sSub(v,0))),sup(1,/,(,y,−,sSub(Y,0),))),−,1)")


def test_scripts_and_symbols():
    assert shape(omath("x_0^2")) == "oMath(sSubSup(x,0,2))"
    assert shape(omath(r"a \cdot b \le c")) == "oMath(a,⋅,b,≤,c)"
    assert shape(omath("{ab}_i")) == "oMath(sSub(box(e(a,b)),i))"
    display = omath_para(r"\frac{1}{2}")
    assert etree.QName(display).localname == "oMathPara"
    assert display.find(f"{{{M}}}oMathParaPr/{{{M}}}jc").get(f"{{{M}}}val") == "center"
    assert etree.tostring(display).startswith(b"<m:oMathPara")  # the prefix Word writes


@pytest.mark.parametrize("latex", [r"\sqrt{2}", r"\frac{1}{2", "a}", r"\text x"])
def test_what_it_does_not_know_is_refused(latex):
    with pytest.raises(UnsupportedLatex, match="formula"):
        omath(latex)
