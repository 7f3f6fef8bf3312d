#!/usr/bin/env python3
"""Driver of bench/compare.sh: vitscope, ONNX Runtime and PyTorch eager on the same random
ViT-Ti/S/B weights (bench/peers.py), every attention matrix kept, fp32, batch 1. Each block is one
program on one shape for RUNS timed runs; the programs alternate within every round so that drift
in the machine hits all of them alike. Before a block the machine must be idle (other processes
below 10 % of one core over a second, waiting up to a minute); a block during which other
processes used more than 25 % of one core is discarded and run again (up to three times).
Prints one Markdown table of medians over all kept runs, and the ratios to ONNX Runtime."""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time


def busy_jiffies():
    """Jiffies the whole machine spent busy (not idle or waiting for I/O), from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return sum(v) - v[3] - v[4]


def wait_idle(limit_s=60.0):
    t_end = time.time() + limit_s
    while True:
        b0 = busy_jiffies()
        time.sleep(1.0)
        b1 = busy_jiffies()
        ticks = os.sysconf("SC_CLK_TCK")
        if (b1 - b0) / ticks < 0.10 or time.time() > t_end:
            return


def lines_ms(stdout):
    return [float(line) for line in stdout.split() if line.strip()]


def vitscope_ms(stdout):
    return json.loads(stdout)["forward_ms"]["all"]


def timed_block(cmd, env, parse):
    """Runs cmd; returns (its times in ms as `parse` reads them from its output, the CPU other
    processes used meanwhile, in cores)."""
    ticks = os.sysconf("SC_CLK_TCK")
    b0 = busy_jiffies()
    r0 = os.times()
    t0 = time.time()
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.time() - t0
    r1 = os.times()
    b1 = busy_jiffies()
    if out.returncode != 0:
        sys.exit(f"compare: {' '.join(cmd)} failed:\n{out.stderr}")
    own = (r1.children_user - r0.children_user) + (r1.children_system - r0.children_system)
    other = max(0.0, (b1 - b0) / ticks - own) / max(wall, 1e-3)
    return parse(out.stdout), other


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--models", required=True)
    ap.add_argument("--shapes", default="vit-ti,vit-s,vit-b")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--no-torch", action="store_true")
    args = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    env = dict(os.environ)
    torch_env = dict(env, MALLOC_MMAP_THRESHOLD_="33554432", MALLOC_TRIM_THRESHOLD_="4294967296")
    programs = {
        "vitscope": lambda d, s: ([args.cli, "bench", "--model", d, "--runs", str(args.runs),
                                   "--warmup", "2", "--threads", str(args.threads), "--json"], env),
        "ONNX Runtime": lambda d, s: (["node", os.path.join(here, "ort_bench.js"),
                                       os.path.join(d, "model.onnx"), os.path.join(d, "input.npy"),
                                       os.path.join(d, "logits.npy"), str(args.runs), "2",
                                       str(args.threads)], env),
    }
    if not args.no_torch:
        programs["PyTorch eager"] = lambda d, s: (
            ["/usr/bin/python3", os.path.join(here, "peers.py"), "torch", args.models, s,
             str(args.runs), "1", str(args.threads)], torch_env)
    shapes = args.shapes.split(",")
    results = {(p, s): [] for p in programs for s in shapes}
    discarded = 0
    for rnd in range(args.rounds):
        for s in shapes:
            d = os.path.join(args.models, s)
            order = list(programs)[rnd % len(programs):] + list(programs)[:rnd % len(programs)]
            for p in order:
                cmd, penv = programs[p](d, s)
                for _attempt in range(3):
                    wait_idle()
                    parse = vitscope_ms if p == "vitscope" else lines_ms
                    times, other = timed_block(cmd, penv, parse)
                    if other <= 0.25:
                        break
                    discarded += 1
                results[(p, s)] += times
                print(f"compare: round {rnd + 1} {s} {p}: median "
                      f"{statistics.median(times):.1f} ms", file=sys.stderr)
    ort = {s: statistics.median(results[("ONNX Runtime", s)]) for s in shapes}
    print(f"| program ({args.threads} threads) | " + " | ".join(shapes) + " |")
    print("|---|" + "---|" * len(shapes))
    for p in programs:
        cells = []
        for s in shapes:
            m = statistics.median(results[(p, s)])
            cells.append(f"{m:.1f} ms ({m / ort[s]:.2f}x)")
        print(f"| {p} | " + " | ".join(cells) + " |")
    print(f"\n{args.rounds} rounds x {args.runs} runs per cell; {discarded} blocks discarded "
          "for other load; ratios are to ONNX Runtime's median.")


if __name__ == "__main__":
    main()
