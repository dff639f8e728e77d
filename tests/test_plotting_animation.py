"""Tests of bcolearn.plotting.animation: episode animations that play once trusted and show a frame untrusted."""

from __future__ import annotations

import base64
import io
import re
from html.parser import HTMLParser

import pytest
from IPython.core.formatters import HTMLFormatter
from PIL import Image

import bcolearn
from bcolearn.plotting import animate_episode

ENV = "CartPole-v1"


class Sanitised(HTMLParser):
    """What JupyterLab shows of an untrusted output, roughly: no scripts, and no ``hidden`` attribute either
    (its sanitiser drops it: seen in the browser test), so every element left shows. Collects the images
    that remain, and the buttons."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[bool] = []  # per open element: hidden?
        self.images: list[str] = []
        self.buttons = 0
        self.in_script = False
        self.script_text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        hidden = False  # JupyterLab's sanitiser keeps no way to hide an element
        if tag == "script":
            self.in_script = True
        if tag == "img" and not hidden:
            self.images.append(names.get("src") or "")
        if tag == "button" and not hidden:
            self.buttons += 1
        if tag not in ("img", "input", "br", "link", "meta"):
            self.stack.append(hidden)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_script = False
        if tag not in ("img", "input", "br", "link", "meta") and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.in_script:
            self.script_text += data


@pytest.fixture(scope="module")
def anim():  # type: ignore[no-untyped-def]
    return animate_episode(ENV, bcolearn.load_expert(ENV), seed=0, max_steps=120)


def test_animate_episode_shows_the_return_and_stays_small(anim) -> None:  # type: ignore[no-untyped-def]
    assert anim.n_steps == 120 and anim.episode_return == 120.0
    assert "return 120" in anim.html and "<script" in anim.html and "data:image/jpeg;base64," in anim.html
    assert anim.n_frames <= 82 and anim.stride == 2
    assert len(anim.html) < 1_000_000
    assert HTMLFormatter()(anim) == anim.html, "a notebook shows the HTML"
    assert len(repr(anim)) < 120 and "return 120" in repr(anim), "the text/plain repr stays short"


def test_untrusted_the_first_frame_shows_as_a_plain_image_and_no_player(anim) -> None:  # type: ignore[no-untyped-def]
    page = Sanitised()
    page.feed(re.sub(r"<script.*?</script>", "", anim.html, flags=re.S))  # an untrusted notebook: no scripts
    (src,) = page.images
    assert src.startswith("data:image/png;base64,"), "the still must need no JavaScript"
    still = Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1])))
    assert still.size[0] == 300 and still.getextrema() != ((255, 255), (255, 255), (255, 255)), "an empty still"
    assert page.buttons == 0, "the player's dead buttons show before its script runs"


def test_once_trusted_the_script_puts_the_player_in_place_of_the_still(anim) -> None:  # type: ignore[no-untyped-def]
    page = Sanitised()
    page.feed(anim.html)
    assert "createContextualFragment" in page.script_text and ".bcolearn-still').replaceWith" in page.script_text
    assert "new Animation" in page.script_text, "matplotlib's player is embedded, with its frames"
    assert "font-awesome" not in anim.html, "the player must work offline (no icon font from a CDN)"


def test_animate_episode_continuous_actions_and_bad_arguments() -> None:
    anim = animate_episode("Pendulum-v1", bcolearn.load_expert("Pendulum-v1"), seed=1, max_steps=10, max_frames=4)
    assert anim.n_steps == 10 and anim.n_frames <= 5 and anim.episode_return < 0
    with pytest.raises(ValueError, match="max_frames"):
        animate_episode(ENV, bcolearn.load_expert(ENV), max_frames=1)
