#!/usr/bin/env python3
"""Learning curves of RL² runs from their progress.csv, beside the paper's figures.

    scripts/plot.py runs/bandit-k5-n100-first-order-seed1 [more run dirs] --out curves.png

Left: mean trial return per iteration (and the oracle's expected return), with the paper's RL²
and best-baseline numbers for the setting as dashed lines when the setting is in Table 1 or 2.
Right: mean return of each episode index at the last iteration (within-trial learning).
With --baselines FILE (the JSON of `rl2 baselines --json` or `rl2 table ... --json`), every
hand-designed baseline we measured for the run's setting is drawn too: its mean total as a
horizontal line on the left, its per-episode means on the right.

    scripts/plot.py runs/mdp-... --baselines mdp-n10.json --out mdp.png

--x steps puts environment steps (millions) on the horizontal axis, so runs with different
batch sizes compare per sample; --smooth K draws K-iteration running means; --no-oracle leaves
out the oracle's curves (which otherwise set the vertical scale). A run directory holding
evaluations.csv (columns iteration, mean, stderr: test-set evaluations of its checkpoints) gets
those drawn as points with ±1 SE bars. A fork (`rl2 train --fork`, with fork.json) is drawn from
its fork point on: the rows it carries over from its parent are the parent's.

Needs matplotlib (pip install matplotlib).
"""
import argparse
import csv
import json
import os
import sys

# Table 1 (bandits, keyed by (n, k)) and Table 2 (MDPs, keyed by n): (RL², best baseline, name).
PAPER_BANDITS = {
    (10, 5): (6.7, 6.7, "UCB1"), (10, 10): (6.7, 6.7, "UCB1"), (10, 50): (6.8, 6.6, "UCB1"),
    (100, 5): (78.7, 78.3, "Gittins"), (100, 10): (83.5, 82.8, "Gittins"),
    (100, 50): (84.9, 85.2, "Gittins"), (500, 5): (401.6, 406.7, "OTS"),
    (500, 10): (432.5, 438.9, "OTS"), (500, 50): (438.9, 463.7, "Gittins"),
}
PAPER_MDPS = {
    10: (156.2, 150.2, "BEB"), 25: (445.7, 427.8, "BEB"), 50: (936.1, 930.7, "OPSRL"),
    75: (1428.8, 1449.2, "OPSRL"), 100: (1913.7, 1973.9, "OPSRL"),
}


def read_run(directory):
    with open(os.path.join(directory, "config.json")) as handle:
        config = json.load(handle)
    with open(os.path.join(directory, "progress.csv")) as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        sys.exit(f"plot.py: {directory}/progress.csv has no iterations yet")
    return config, rows


def paper_reference(config):
    task = config["task"]
    if task["kind"] == "bandit":
        return PAPER_BANDITS.get((task["episodes"], task.get("arms", 5)))
    if task["kind"] == "mdp":
        return PAPER_MDPS.get(task["episodes"])
    return None


def setting_name(config):
    task = config["task"]
    if task["kind"] == "bandit":
        return f"bandit-k{task.get('arms', 5)}-n{task['episodes']}"
    return (f"mdp-s{task.get('states', 10)}-a{task.get('actions', 5)}-h{task.get('horizon', 10)}"
            f"-n{task['episodes']}")


def read_baselines(path):
    """Setting name → {method key → method object} from baselines or table JSON."""
    with open(path) as handle:
        loaded = json.load(handle)
    settings = loaded if isinstance(loaded, list) else [loaded]
    return {entry["setting"]: entry["methods"] for entry in settings}


def episode_returns(row):
    columns = sorted(
        (key for key in row if key.startswith("return_episode_")),
        key=lambda key: int(key.rsplit("_", 1)[1]))
    if columns:
        return [float(row[key]) for key in columns]
    return [float(value) for value in row.get("episode_returns", "").split()]


def running_mean(values, window):
    """Mean of each value and the window − 1 before it (fewer at the start)."""
    out, total = [], 0.0
    for index, value in enumerate(values):
        total += value
        if index >= window:
            total -= values[index - window]
        out.append(total / min(index + 1, window))
    return out


def fork_iteration(directory):
    """The iteration a forked run started from (its fork.json), 0 for a run of its own."""
    path = os.path.join(directory, "fork.json")
    if not os.path.exists(path):
        return 0
    with open(path) as handle:
        try:
            return int(json.load(handle)["iteration"])
        except (KeyError, ValueError, TypeError) as error:
            sys.exit(f"plot.py: {path}: no iteration ({error})")


def read_evaluations(directory):
    """(iteration, mean, stderr) rows of the run's evaluations.csv; empty when there is none."""
    path = os.path.join(directory, "evaluations.csv")
    if not os.path.exists(path):
        return []
    with open(path, newline="") as handle:
        try:
            return [(int(row["iteration"]), float(row["mean"]), float(row["stderr"]))
                    for row in csv.DictReader(handle)]
        except (KeyError, ValueError) as error:
            sys.exit(f"plot.py: {path}: expected columns iteration, mean, stderr ({error})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", nargs="+", help="run directories (holding config.json and progress.csv)")
    parser.add_argument("--out", default="curves.png", help="PNG file to write (default: curves.png)")
    parser.add_argument("--baselines", help="JSON of `rl2 baselines --json` / `rl2 table --json`")
    parser.add_argument("--x", choices=["iteration", "steps"], default="iteration",
                        help="horizontal axis: iteration (default) or environment steps (millions)")
    parser.add_argument("--smooth", type=int, default=1,
                        help="draw running means over this many iterations (default 1: raw)")
    parser.add_argument("--no-oracle", action="store_true", help="leave out the oracle's curves")
    arguments = parser.parse_args()
    if arguments.smooth < 1:
        sys.exit("plot.py: --smooth must be 1 or more")
    baselines = read_baselines(arguments.baselines) if arguments.baselines else {}
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        sys.exit("plot.py needs matplotlib: pip install matplotlib")

    figure, (curves, episodes) = plt.subplots(1, 2, figsize=(12, 6.5))
    references = set()
    drawn_settings = set()
    for directory in arguments.runs:
        config, rows = read_run(directory)
        forked_at = fork_iteration(directory)
        rows = [row for row in rows if int(row["iteration"]) >= forked_at] or rows
        label = f"{os.path.basename(os.path.normpath(directory))} ({config.get('algorithm', 'trpo')})"
        if arguments.x == "steps":
            position = {int(row["iteration"]): float(row["steps"]) / 1e6 for row in rows}
        else:
            position = {int(row["iteration"]): float(row["iteration"]) for row in rows}
        xs = [position[int(row["iteration"])] for row in rows]
        means = running_mean([float(row["mean_trial_return"]) for row in rows], arguments.smooth)
        line, = curves.plot(xs, means, label=label)
        if not arguments.no_oracle:
            curves.plot(xs, running_mean([float(row["mean_optimal_return"]) for row in rows],
                                         arguments.smooth),
                        color=line.get_color(), alpha=0.3, linewidth=0.8)
        evaluations = read_evaluations(directory)
        known = [(it, mean, se) for it, mean, se in evaluations
                 if it in position and it > forked_at]
        if known:
            curves.errorbar([position[it] for it, _, _ in known], [mean for _, mean, _ in known],
                            yerr=[se for _, _, se in known], fmt="o", markersize=3,
                            color=line.get_color(), ecolor=line.get_color(), elinewidth=0.8,
                            label=f"{label}: test set")
        last = episode_returns(rows[-1])
        episodes.plot(range(1, len(last) + 1), last, marker="o", color=line.get_color(), label=label)
        setting = setting_name(config)
        if setting in baselines and setting not in drawn_settings:
            drawn_settings.add(setting)
            measured = [(key, method) for key, method in baselines[setting].items() if key != "rl2"]
            measured.sort(key=lambda item: -item[1]["mean"])
            palette = plt.get_cmap("tab10")
            for index, (key, method) in enumerate(measured):
                color = palette((index + 2) % 10)
                title = method.get("title", key)
                curves.axhline(method["mean"], color=color, linewidth=0.9, linestyle="-.",
                               label=f"{title} {method['mean']:.1f} (ours)")
                means = method.get("episode_means", [])
                if means:
                    episodes.plot(range(1, len(means) + 1), means, color=color, linewidth=0.9,
                                  linestyle="-.", label=title)
        reference = paper_reference(config)
        if reference and reference not in references:
            references.add(reference)
            rl2, baseline, name = reference
            curves.axhline(rl2, linestyle="--", color="black", linewidth=1, label=f"paper RL² {rl2}")
            curves.axhline(baseline, linestyle=":", color="gray", linewidth=1,
                           label=f"paper {name} {baseline}")
    curves.set_xlabel("environment steps (millions)" if arguments.x == "steps" else "iteration")
    curves.set_ylabel("mean total reward per trial"
                      + ("" if arguments.no_oracle else " (faint: oracle)"))
    curves.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2)
    curves.grid(alpha=0.3)
    episodes.set_xlabel("episode index within the trial")
    episodes.set_ylabel("mean return at the last iteration")
    episodes.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2)
    episodes.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(arguments.out, dpi=120)
    print(f"plot.py: wrote {arguments.out}")


if __name__ == "__main__":
    main()
