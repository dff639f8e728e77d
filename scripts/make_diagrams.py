"""Draw the explanatory diagrams used in the bcolearn notebooks.

Run from the repository root::

    python scripts/make_diagrams.py

Only matplotlib is needed (Agg backend, no downloads). The script writes, or
overwrites, these PNG files in ``images/``; running it again gives the same
files:

* ``agent_env_loop.png``         - the agent-environment interaction loop
* ``bc_pipeline.png``            - the Behavioural Cloning pipeline
* ``state_vs_action_demos.png``  - action-labelled vs state-only demonstrations
* ``inverse_dynamics.png``       - inverse dynamics model and its training data
* ``bco_loop.png``               - BCO(alpha), with BCO(0) as the single pass

Layout convention: each figure has one axes covering the whole canvas, and its
data units are *inches*. Box sizes, gaps and font sizes can then be compared
directly (12 pt is 1/6 inch).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Sequence

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402  (the backend must be set first)
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch  # noqa: E402
from matplotlib.path import Path as MplPath  # noqa: E402

Point = tuple[float, float]
Side = Literal["left", "right", "top", "bottom"]

OUT_DIR = Path(__file__).resolve().parent.parent / "images"
DPI = 120
FIG_WIDTH = 9.0  # inches, i.e. 1080 px at 120 dpi

FONT_SIZE = 12
SMALL_FONT = 11
TITLE_FONT = 15
LINE_HEIGHT = 1.5  # line spacing inside boxes, in multiples of the font size

TEXT_COLOR = "#222222"
NOTE_COLOR = "#555555"
ARROW_COLOR = "#444444"
ALERT_COLOR = "#c0392b"  # the BCO(alpha) loop and the missing actions "?"
PANEL_COLOR = "#f6f6f6"


@dataclass(frozen=True)
class Palette:
    """Fill colour, edge colour and legend text for one kind of box."""

    face: str
    edge: str
    legend: str


# One pastel colour per *kind* of thing, the same in every diagram.
PALETTES: dict[str, Palette] = {
    "expert": Palette("#fff1b8", "#b8962e", "expert"),
    "data": Palette("#dbe9f6", "#4f7cac", "data"),
    "learn": Palette("#e9e0f5", "#7d62a8", "learning step"),
    "model": Palette("#d9f0d3", "#4d8f4a", "model / policy"),
    "env": Palette("#fde3c8", "#c9803a", "environment"),
}


@dataclass(frozen=True)
class Box:
    """Geometry of a drawn box, used to attach arrows to its edges."""

    cx: float
    cy: float
    w: float
    h: float

    @property
    def left(self) -> float:
        return self.cx - self.w / 2

    @property
    def right(self) -> float:
        return self.cx + self.w / 2

    @property
    def top(self) -> float:
        return self.cy + self.h / 2

    @property
    def bottom(self) -> float:
        return self.cy - self.h / 2

    def edge(self, side: Side, offset: float = 0.0) -> Point:
        """Middle of one side, moved ``offset`` inches along that side."""
        if side == "left":
            return (self.left, self.cy + offset)
        if side == "right":
            return (self.right, self.cy + offset)
        if side == "top":
            return (self.cx + offset, self.top)
        return (self.cx + offset, self.bottom)


# --------------------------------------------------------------------------
# Drawing helpers
# --------------------------------------------------------------------------


def new_canvas(height: float, title: str) -> tuple[Figure, Axes]:
    """A white ``height``-inch figure with inch coordinates and a title."""
    fig = plt.figure(figsize=(FIG_WIDTH, height), dpi=DPI, facecolor="white")
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_xlim(0, FIG_WIDTH)
    ax.set_ylim(0, height)
    ax.axis("off")
    ax.text(FIG_WIDTH / 2, height - 0.32, title, ha="center", va="center",
            fontsize=TITLE_FONT, fontweight="bold", color=TEXT_COLOR)
    return fig, ax


def rounded_rect(
    ax: Axes, center: Point, size: tuple[float, float], face: str, edge: str,
    radius: float = 0.12, linewidth: float = 1.6, zorder: float = 2,
) -> None:
    """A rounded rectangle whose outline is exactly ``size`` inches."""
    (cx, cy), (w, h) = center, size
    ax.add_patch(FancyBboxPatch(
        (cx - w / 2, cy - h / 2), w, h,
        boxstyle=f"round,pad=0,rounding_size={radius}",
        facecolor=face, edgecolor=edge, linewidth=linewidth, zorder=zorder,
    ))


def draw_box(
    ax: Axes,
    center: Point,
    size: tuple[float, float],
    kind: str,
    title: str = "",
    body: str = "",
    fontsize: float = FONT_SIZE,
) -> Box:
    """A coloured box: a bold ``title`` above a normal-weight ``body``.

    Either part may hold several lines (``\\n``); all lines are centred
    vertically as one block.
    """
    palette = PALETTES[kind]
    rounded_rect(ax, center, size, palette.face, palette.edge)
    lines = [(line, "bold") for line in title.splitlines()]
    lines += [(line, "normal") for line in body.splitlines()]
    step = fontsize / 72 * LINE_HEIGHT
    y = center[1] + step * (len(lines) - 1) / 2
    for text, weight in lines:
        ax.text(center[0], y, text, ha="center", va="center",
                fontsize=fontsize, fontweight=weight, color=TEXT_COLOR,
                zorder=3)
        y -= step
    return Box(center[0], center[1], size[0], size[1])


def draw_arrow(
    ax: Axes,
    points: Sequence[Point],
    color: str = ARROW_COLOR,
    linestyle: str = "-",
) -> None:
    """An arrow along a polyline; its head ends exactly on the last point."""
    ax.add_patch(FancyArrowPatch(
        path=MplPath(list(points)), arrowstyle="-|>", mutation_scale=18,
        color=color, linewidth=1.8, linestyle=linestyle, joinstyle="round",
        zorder=1,
    ))


def connect(
    ax: Axes,
    a: Box,
    side_a: Side,
    b: Box,
    side_b: Side,
    via: Sequence[Point] = (),
    offset_a: float = 0.0,
    offset_b: float = 0.0,
    **arrow_kw: Any,
) -> None:
    """An arrow from an edge of box ``a`` to an edge of box ``b``."""
    draw_arrow(ax, [a.edge(side_a, offset_a), *via, b.edge(side_b, offset_b)],
               **arrow_kw)


def label(
    ax: Axes,
    xy: Point,
    text: str,
    ha: str = "center",
    color: str = TEXT_COLOR,
    fontsize: float = SMALL_FONT,
    background: str | None = "white",
    **text_kw: Any,
) -> None:
    """A free text label; its background hides any line running under it."""
    bbox = None
    if background is not None:
        bbox = dict(boxstyle="round,pad=0.15", facecolor=background,
                    edgecolor="none")
    ax.text(xy[0], xy[1], text, ha=ha, va="center", fontsize=fontsize,
            color=color, zorder=4, linespacing=1.35, bbox=bbox, **text_kw)


def draw_legend(fig: Figure, ax: Axes, kinds: Sequence[str], y: float) -> None:
    """A centred row of colour swatches that explains the box colours."""
    swatch_w, swatch_h, pad, gap = 0.3, 0.2, 0.08, 0.35
    renderer = fig.canvas.get_renderer()
    texts = [ax.text(0, y, PALETTES[k].legend, ha="left", va="center",
                     fontsize=SMALL_FONT, color=NOTE_COLOR) for k in kinds]
    # Measured text widths (pixels -> inches) keep the spacing even.
    widths = [t.get_window_extent(renderer).width / DPI for t in texts]
    total = sum(swatch_w + pad + w for w in widths) + gap * (len(kinds) - 1)
    x = (FIG_WIDTH - total) / 2
    for kind, text, width in zip(kinds, texts, widths):
        palette = PALETTES[kind]
        rounded_rect(ax, (x + swatch_w / 2, y), (swatch_w, swatch_h),
                     palette.face, palette.edge, radius=0.05, linewidth=1.2)
        text.set_x(x + swatch_w + pad)
        x += swatch_w + pad + width + gap


def save(fig: Figure, name: str) -> Path:
    """Write ``images/<name>`` at the fixed canvas size (no tight bbox)."""
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUT_DIR / name
    # Drop the "Software" tag so files do not change with matplotlib version.
    fig.savefig(path, dpi=DPI, facecolor="white", metadata={"Software": None})
    plt.close(fig)
    return path


# --------------------------------------------------------------------------
# Diagrams
# --------------------------------------------------------------------------


def agent_env_loop() -> Figure:
    """Agent -> action -> environment -> next state & reward -> agent."""
    fig, ax = new_canvas(4.6, "The agent–environment loop")

    agent = draw_box(ax, (4.5, 3.1), (3.0, 0.95), "model", "Agent",
                     "policy $\\pi(a \\mid s)$")
    env = draw_box(ax, (4.5, 1.2), (3.0, 0.95), "env", "Environment",
                   "dynamics $p(s', r \\mid s, a)$")
    x_act, x_obs, y_mid = 7.3, 1.7, 2.15

    connect(ax, agent, "right", env, "right",
            via=[(x_act, agent.cy), (x_act, env.cy)])
    label(ax, (x_act, y_mid), "action $a_t$", fontsize=FONT_SIZE)
    connect(ax, env, "left", agent, "left",
            via=[(x_obs, env.cy), (x_obs, agent.cy)])
    label(ax, (x_obs, y_mid), "state $s_{t+1}$\nreward $r_{t+1}$",
          fontsize=FONT_SIZE)
    label(ax, (4.5, y_mid), "next step:  $t \\leftarrow t + 1$",
          color=NOTE_COLOR, style="italic")

    draw_legend(fig, ax, ["model", "env"], y=0.25)
    return fig


def bc_pipeline() -> Figure:
    """Expert -> demonstrations -> supervised learning -> policy -> env."""
    fig, ax = new_canvas(5.0, "Behavioural Cloning (BC)")
    row1, row2 = 3.35, 1.45

    expert = draw_box(ax, (0.95, row1), (1.5, 1.0), "expert", "Expert",
                      "acts in the env.")
    demos = draw_box(ax, (3.4, row1), (2.2, 1.0), "data", "Demonstrations",
                     "$\\mathcal{D} = \\{(s_i, a_i)\\}$")
    learn = draw_box(ax, (6.95, row1), (3.7, 1.45), "learn",
                     "Supervised learning",
                     "discrete:  min $-\\log \\pi_\\theta(a \\mid s)$\n"
                     "continuous:  min $\\Vert \\pi_\\theta(s) - a \\Vert^2$")
    policy = draw_box(ax, (6.95, row2), (2.2, 0.95), "model",
                      "Policy $\\pi_\\theta$", "imitates the expert")
    env = draw_box(ax, (2.25, row2), (2.6, 0.95), "env", "Environment",
                   "no expert needed")

    connect(ax, expert, "right", demos, "left")
    connect(ax, demos, "right", learn, "left")
    connect(ax, learn, "bottom", policy, "top")
    label(ax, (learn.cx + 0.15, (learn.bottom + policy.top) / 2),
          "parameters $\\theta$", ha="left", color=NOTE_COLOR)

    # At test time the policy acts alone: action out, next state back.
    dy = 0.22
    connect(ax, policy, "left", env, "right", offset_a=dy, offset_b=dy)
    connect(ax, env, "right", policy, "left", offset_a=-dy, offset_b=-dy)
    mid = (env.right + policy.left) / 2
    label(ax, (mid, row2 + dy + 0.2), "action $a_t = \\pi_\\theta(s_t)$",
          background=None)
    label(ax, (mid, row2 - dy - 0.2), "state $s_t$", background=None)

    draw_legend(fig, ax, ["expert", "data", "learn", "model", "env"], y=0.3)
    return fig


def draw_trajectory(
    ax: Axes, x0: float, y: float, n_steps: int, actions_known: bool
) -> None:
    """States s_0 ... s_n joined by arrows labelled a_t, or "?" if unknown."""
    node_w, node_h, spacing = 0.6, 0.5, 1.15
    nodes = [draw_box(ax, (x0 + i * spacing, y), (node_w, node_h), "data",
                      body=f"$s_{i}$", fontsize=14)
             for i in range(n_steps + 1)]
    for i, (a, b) in enumerate(zip(nodes, nodes[1:])):
        connect(ax, a, "right", b, "left")
        xy = ((a.right + b.left) / 2, y + 0.37)
        if actions_known:
            label(ax, xy, f"$a_{i}$", fontsize=14, background=None)
        else:
            label(ax, xy, "?", color=ALERT_COLOR, fontsize=17,
                  fontweight="bold", background=None)
    last = nodes[-1]
    draw_arrow(ax, [last.edge("right"), (last.right + 0.4, y)])
    ax.text(last.right + 0.5, y, "…", ha="left", va="center", fontsize=16,
            color=TEXT_COLOR)


def state_vs_action_demos() -> Figure:
    """Action-labelled trajectory vs state-only trajectory, side by side."""
    fig, ax = new_canvas(4.0, "What does a demonstration contain?")
    panel_w, panel_h, panel_cy = 4.2, 3.05, 1.8

    panels = [
        # (centre x, heading, example source, dataset, consequence, known)
        (2.3, "Action-labelled demonstration",
         "e.g. teleoperation, logged joystick",
         "$\\{(s_t, a_t, s_{t+1})\\}$", "BC can be used directly", True),
        (6.7, "State-only demonstration", "e.g. a video of an expert",
         "$\\{(s_t, s_{t+1})\\}$ — actions missing",
         "actions must be inferred (BCO)", False),
    ]
    for cx, heading, source, dataset, verdict, known in panels:
        rounded_rect(ax, (cx, panel_cy), (panel_w, panel_h), PANEL_COLOR,
                     "#bbbbbb", radius=0.15, linewidth=1.2, zorder=0)
        ax.text(cx, 3.0, heading, ha="center", va="center", fontsize=13,
                fontweight="bold", color=TEXT_COLOR)
        ax.text(cx, 2.65, source, ha="center", va="center",
                fontsize=SMALL_FONT, style="italic", color=NOTE_COLOR)
        draw_trajectory(ax, cx - panel_w / 2 + 0.55, 1.75, 2, known)
        ax.text(cx, 1.0, dataset, ha="center", va="center",
                fontsize=FONT_SIZE, color=TEXT_COLOR)
        ax.text(cx, 0.6, "→ " + verdict, ha="center", va="center",
                fontsize=FONT_SIZE, fontweight="bold",
                color=PALETTES["model"].edge if known else ALERT_COLOR)
    return fig


def inverse_dynamics() -> Figure:
    """Inverse dynamics model: (s, s' - s) -> predicted action; its data."""
    fig, ax = new_canvas(
        5.7, "Inverse dynamics model: which action caused $s \\to s'$?")
    top, bottom = 4.45, 3.15  # rows of the two inputs
    mid = (top + bottom) / 2
    node = dict(kind="data", fontsize=14)

    s_t = draw_box(ax, (0.8, top), (1.1, 0.6), body="$s_t$", **node)
    s_next = draw_box(ax, (0.8, bottom), (1.1, 0.6), body="$s_{t+1}$", **node)
    feat_s = draw_box(ax, (2.85, top), (1.5, 0.6), body="$s = s_t$", **node)
    feat_d = draw_box(ax, (2.85, bottom), (1.5, 0.6), body="$s' - s$", **node)
    net = draw_box(ax, (5.55, mid), (2.5, 1.9), "model",
                   "Inverse dynamics\nmodel $M_\\phi$",
                   "(neural network)")
    pred = draw_box(ax, (7.95, mid), (1.6, 1.0), "data",
                    body="predicted\naction $\\hat a_t$")

    # s_t feeds both features: branch off the s_t -> s arrow at x_branch.
    x_branch, x_merge = 1.75, 3.95
    connect(ax, s_t, "right", feat_s, "left")
    connect(ax, s_next, "right", feat_d, "left")
    draw_arrow(ax, [(x_branch, top), (x_branch, bottom + 0.15),
                    feat_d.edge("left", 0.15)])
    ax.plot([x_branch], [top], "o", color=ARROW_COLOR, markersize=5)
    connect(ax, feat_s, "right", net, "left", offset_b=0.3,
            via=[(x_merge, top), (x_merge, mid + 0.3)])
    connect(ax, feat_d, "right", net, "left", offset_b=-0.3,
            via=[(x_merge, bottom), (x_merge, mid - 0.3)])
    connect(ax, net, "right", pred, "left")

    # Training: the agent's own rollouts, in which the action is known.
    y_data = 1.35
    rollouts = draw_box(ax, (2.2, y_data), (3.9, 1.1), "data",
                        "Training data: the agent's OWN\nrollouts "
                        "$\\{(s, a, s')\\}$",
                        "the action $a$ is known")
    loss = draw_box(ax, (7.95, y_data), (1.6, 1.1), "learn", "Loss",
                    "cross-entropy\n$\\mathcal{L}(\\hat a_t, a)$")
    draw_arrow(ax, [(s_next.cx, rollouts.top), s_next.edge("bottom")])
    label(ax, (s_next.cx + 0.12, (rollouts.top + s_next.bottom) / 2),
          "inputs $(s, s')$", ha="left", background=None)
    connect(ax, rollouts, "right", loss, "left", offset_a=-0.25,
            offset_b=-0.25)
    label(ax, ((rollouts.right + loss.left) / 2, y_data - 0.5),
          "true action $a$ (target)", background=None)
    connect(ax, pred, "bottom", loss, "top")
    update_color = PALETTES["learn"].edge
    connect(ax, loss, "left", net, "bottom", offset_a=0.25,
            via=[(net.cx, loss.cy + 0.25)], color=update_color,
            linestyle="--")
    label(ax, (net.cx + 0.12, (net.bottom + loss.cy + 0.25) / 2),
          "update $\\phi$", ha="left", color=update_color, background=None)

    draw_legend(fig, ax, ["data", "model", "learn"], y=0.3)
    return fig


def bco_loop() -> Figure:
    """BCO(alpha): explore, fit inverse model, label demos, clone, repeat."""
    fig, ax = new_canvas(
        6.9, "Behavioural Cloning from Observation: BCO($\\alpha$)")
    col = (1.5, 4.5, 7.5)
    row = (5.3, 3.6, 1.9)
    size = (2.6, 1.1)

    explore = draw_box(ax, (col[0], row[0]), size, "env",
                       "(1) Pre-demonstration",
                       "a random policy collects\n"
                       "$|\\mathcal{I}_{\\mathrm{pre}}|$ transitions")
    transitions = draw_box(ax, (col[1], row[0]), size, "data",
                           "Transitions $\\mathcal{I}$",
                           "$\\{(s, a, s')\\}$, action known")
    train = draw_box(ax, (col[2], row[0]), size, "learn",
                     "(2) Train inverse\ndynamics model",
                     "$M_\\phi$ on $\\mathcal{I}$")
    demos = draw_box(ax, (col[1], row[1]), size, "data",
                     "Expert demonstrations",
                     "state only: $\\{(s, s')\\}$")
    infer = draw_box(ax, (col[2], row[1]), size, "learn",
                     "(3) Infer actions",
                     "$\\tilde a = \\mathrm{argmax}_a\\, "
                     "M_\\phi(a \\mid s, s')$")
    clone = draw_box(ax, (col[2], row[2]), size, "learn",
                     "(4) Behavioural cloning",
                     "on $\\{(s, \\tilde a)\\}$")
    policy = draw_box(ax, (col[1] + 0.4, row[2]), (1.8, 1.1), "model",
                      "Policy $\\pi_\\theta$")
    rollout = draw_box(ax, (col[0], row[2]), size, "env",
                       "(5) Post-demonstration",
                       "roll out $\\pi_\\theta$ for\n"
                       "$\\alpha \\cdot |\\mathcal{I}_{\\mathrm{pre}}|$ steps")

    connect(ax, explore, "right", transitions, "left")
    connect(ax, transitions, "right", train, "left")
    connect(ax, train, "bottom", infer, "top")
    connect(ax, demos, "right", infer, "left")
    connect(ax, infer, "bottom", clone, "top")
    connect(ax, clone, "left", policy, "right")

    # The BCO(alpha) feedback loop, drawn in the alert colour.
    connect(ax, policy, "left", rollout, "right", color=ALERT_COLOR)
    label(ax, ((rollout.right + policy.left) / 2, row[2] + 0.22),
          "$\\alpha > 0$", color=ALERT_COLOR, background=None)
    y_gap = (transitions.bottom + demos.top) / 2
    x_in = transitions.left + 0.35
    connect(ax, rollout, "top", transitions, "bottom",
            via=[(rollout.cx, y_gap), (x_in, y_gap)],
            offset_b=x_in - transitions.cx, color=ALERT_COLOR)
    label(ax, (rollout.cx, row[1]),
          "BCO($\\alpha$) loop:\nadd the new\n"
          "$(s, a, s')$ to $\\mathcal{I}$,\n"
          "go back to (2)", color=ALERT_COLOR)

    # BCO(0): a single pass (1) -> (4), then stop.
    stop_color = PALETTES["model"].edge
    draw_arrow(ax, [policy.edge("bottom"), (policy.cx, 0.95)],
               color=stop_color)
    label(ax, (policy.cx, 0.75),
          "BCO(0): one pass (1)→(4), then return $\\pi_\\theta$",
          color=stop_color, fontweight="bold", background=None)

    draw_legend(fig, ax, ["env", "data", "learn", "model"], y=0.25)
    return fig


DIAGRAMS = {
    "agent_env_loop.png": agent_env_loop,
    "bc_pipeline.png": bc_pipeline,
    "state_vs_action_demos.png": state_vs_action_demos,
    "inverse_dynamics.png": inverse_dynamics,
    "bco_loop.png": bco_loop,
}


def main() -> None:
    plt.rcParams.update({
        "font.family": "DejaVu Sans",
        "mathtext.fontset": "dejavusans",
        "font.size": FONT_SIZE,
    })
    for name, make in DIAGRAMS.items():
        path = save(make(), name)
        print(f"wrote {path.relative_to(OUT_DIR.parent)}")


if __name__ == "__main__":
    main()
