"""Episode animations that play in JupyterLab and read well in a notebook that is not trusted.

:func:`animate_episode` runs one episode and returns an :class:`EpisodeAnimation`: a caption with the
return, the first frame as a plain PNG image (what an untrusted notebook, a static viewer or an HTML
sanitiser shows: no script needed), and matplotlib's JavaScript player with every frame embedded,
hidden until its script runs (a trusted or re-run notebook), when it replaces the still. It needs
nothing downloaded. Taught in notebook 01; used in notebooks 03 and 05.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from bcolearn.envs import make_env  # also sets SDL_VIDEODRIVER=dummy, so rendering works headless
from bcolearn.plotting.figures import figure_png, new_figure, png_data_uri
from bcolearn.plotting.style import reference_returns

if TYPE_CHECKING:
    from bcolearn.rollout import Policy


@dataclass(frozen=True)
class EpisodeAnimation:
    """An episode as a self-contained HTML animation (displays itself in a notebook)."""

    html: str
    """A caption with the return, the first frame as a plain image, then matplotlib's JavaScript player with
    the frames embedded (hidden until its script runs, when it takes the still's place)."""
    episode_return: float
    """Undiscounted return of the whole episode."""
    n_steps: int
    """Steps the episode lasted."""
    n_frames: int
    """Frames in the animation (every ``stride``-th step, and the last)."""
    stride: int
    """Steps between two frames."""

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:  # short: a notebook stores this beside the HTML, which must not be doubled
        return (f"EpisodeAnimation(return {self.episode_return:g} in {self.n_steps} steps, {self.n_frames} frames, "
                f"one every {self.stride} steps)")


def animate_episode(
    env_id: str,
    policy: Policy,
    seed: int = 0,
    max_steps: int = 500,
    *,
    max_frames: int = 80,
    scale: float = 0.5,
    title: str | None = None,
) -> EpisodeAnimation:
    """Run one episode of ``policy`` and return it as an inline HTML animation, with its return.

    The animation is matplotlib's JavaScript player (``FuncAnimation.to_jshtml``) with the frames
    embedded as JPEG: it plays in JupyterLab and in static notebook viewers that run JavaScript, and
    needs nothing downloaded. Before its script runs (an untrusted notebook, a viewer without
    JavaScript) the first frame shows as a plain PNG image and the player's controls stay hidden.
    To keep notebooks small, frames are shrunk by ``scale`` and at most about ``max_frames`` are kept
    (every ``stride``-th step, played back at the task's real speed): an animation takes about
    250–400 KB. Taught in notebook 01; used in notebooks 03 and 05.

    Args:
        env_id: a Gymnasium id whose environment renders ``rgb_array`` frames.
        policy: any callable from observation to action (an expert, a trained policy…).
        seed: the episode starts from ``reset(seed=seed)``.
        max_steps: stop the episode after this many steps (it may end earlier).
        max_frames: keep at most about this many frames (between half and all of them).
        scale: shrink each frame by about this factor (0.5: CartPole's 600×400 becomes 300×200).
        title: the caption's title (default: the task's id).

    Returns:
        An :class:`EpisodeAnimation`: shown when it is the last expression of a cell.

    Raises:
        ValueError: for ``max_steps < 1``, ``max_frames < 2`` or ``scale`` outside (0, 1].
    """
    from matplotlib import animation, rc_context

    from bcolearn.envs import describe_env
    from bcolearn.rollout import _to_env_action

    if max_steps < 1 or max_frames < 2 or not 0 < scale <= 1:
        raise ValueError(f"Need max_steps >= 1, max_frames >= 2 and 0 < scale <= 1; got max_steps={max_steps}, "
                         f"max_frames={max_frames}, scale={scale}.")
    info = describe_env(env_id)
    env = make_env(env_id, render_mode="rgb_array")
    try:
        fps = float(env.metadata.get("render_fps") or 30)
        obs, _ = env.reset(seed=seed)
        frames: list[tuple[int, float, np.ndarray]] = [(0, 0.0, _shrink(env.render(), scale))]
        stride, total, step, terminated = 1, 0.0, 0, False
        while step < max_steps:
            obs, reward, terminated, truncated, _ = env.step(_to_env_action(policy(obs), info))
            step, total = step + 1, total + float(reward)
            done = terminated or truncated or step == max_steps
            if step % stride == 0 or done:
                frames.append((step, total, _shrink(env.render(), scale)))
            if len(frames) > max_frames:  # keep memory and size bounded: halve the frame rate
                stride *= 2
                frames = [f for f in frames if f[0] % stride == 0]
            if done:
                break
    finally:
        env.close()
    if frames[-1][0] != step:  # the last kept frame must show the end
        frames.append((step, total, frames[-1][2]))
    height, width = frames[0][2].shape[:2]
    fig = new_figure((width / 72, height / 72 + 0.32), layout=None, dpi=72)
    ax = fig.add_axes((0, 0, 1, height / (height + 0.32 * 72)))
    ax.set_axis_off()
    image = ax.imshow(frames[0][2])
    label = fig.text(0.5, 0.99, "", ha="center", va="top", fontsize=11)

    def show(i: int) -> list[Any]:
        t, ret, frame = frames[i]
        image.set_data(frame)
        label.set_text(f"step {t} · return so far {ret:g}")
        return [image, label]

    show(0)
    still = figure_png(fig)
    anim = animation.FuncAnimation(fig, show, frames=len(frames), interval=max(40.0, 1000 * stride / fps),
                                   blit=False)
    with rc_context({"animation.frame_format": "jpeg"}):  # half the size of PNG for shaded scenes
        player = _offline_buttons(anim.to_jshtml(default_mode="once"))
    ref = reference_returns(env_id)
    context = f" (expert {ref.expert:g}, random policy {ref.random:g})" if ref else ""
    end = "ended in a terminal state" if terminated else "was cut off (time limit or max_steps)"
    shown = "every step" if stride == 1 else f"one frame every {stride} steps"
    caption = (f"<div style='font-family:sans-serif;font-size:13px;margin:4px 0'><b>{html.escape(title or env_id)}"
               f"</b>, seed {seed}: <b>return {total:g}</b>{context} in {step} steps; the episode {end}. "
               f"Showing {shown}, in real time.</div>")
    return EpisodeAnimation(caption + still_then_player(still, player, f"{env_id}, step 0"), total, step,
                            len(frames), stride)


def still_then_player(still_png: bytes, player: str, alt: str) -> str:
    """HTML that shows ``still_png`` as a plain image until a script replaces it with ``player``.

    Without JavaScript (an untrusted notebook in JupyterLab removes every script; static viewers) only
    the still and a note show: the player's markup travels inside the script, so no empty image or dead
    button can appear. Once the script runs, it inserts the player (whose own scripts then run) in
    place of the still.

    Args:
        still_png: the first frame, as PNG bytes.
        player: matplotlib's jshtml player.
        alt: the still's alternative text.

    Returns:
        The HTML.
    """
    found = re.search(r'id="_anim_img(\w+)"', player)
    uid = found.group(1) if found else "0"
    markup = json.dumps(player).replace("</", "<\\/")  # a JS string literal that cannot close the script early
    return (f"<div id='bcolearn-anim-{uid}'>"
            f"<div class='bcolearn-still'><img src='{png_data_uri(still_png)}' alt='{html.escape(alt, quote=True)}'>"
            "<div style='font-family:sans-serif;font-size:12px;color:#666'>The first frame. Run this cell (or "
            "trust the notebook) to play the episode.</div></div>"
            "<script>(function () { var root = document.getElementById('bcolearn-anim-" + uid + "');"
            " var player = document.createRange().createContextualFragment(" + markup + ");"
            " root.querySelector('.bcolearn-still').replaceWith(player); })();</script></div>")


# matplotlib's player draws its buttons with Font Awesome icons loaded from a CDN, which an offline
# classroom cannot reach; plain Unicode symbols need nothing.
_BUTTON_SYMBOLS = {  # symbols that common fonts (DejaVu Sans too) have: ⏮ and ⏭ showed as empty boxes
    "fa fa-minus": "−", "fa fa-plus": "+", "fa fa-fast-backward": "⇤", "fa fa-fast-forward": "⇥",
    "fa fa-step-backward": "◁", "fa fa-step-forward": "▷", "fa fa-play fa-flip-horizontal": "◀",
    "fa fa-play": "▶", "fa fa-pause": "❚❚",
}


def _offline_buttons(player: str) -> str:
    """The jshtml player with its Font Awesome stylesheet link removed and icons replaced by symbols."""
    player = re.sub(r"<link[^>]*font-awesome[^>]*>", "", player)
    for cls, symbol in _BUTTON_SYMBOLS.items():
        player = player.replace(f'<i class="{cls}"></i>', symbol)
    return player


def _shrink(frame: np.ndarray, scale: float) -> np.ndarray:
    """Downsample an RGB frame by the integer factor closest to 1 / scale (averaging pixel blocks)."""
    from PIL import Image

    factor = max(1, round(1 / scale))
    return np.asarray(Image.fromarray(frame).reduce(factor)) if factor > 1 else frame
