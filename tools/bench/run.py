# SPDX-License-Identifier: Apache-2.0
"""Host latency of every shipped model in facegate-nn, LiteRT and tract, on the same input.

    python3 tools/bench/run.py [--runs 30] [--rounds 3] [--warmup 3] [--models STEM ..]
                               [--budget 8] [--engine-rev HEAD|worktree] [--json out.json]
                               [--markdown out.md] [--native]

Re-executes itself under /work/venv-models (or $FACEGATE_BENCH_PYTHON), the venv that has
ai-edge-litert. For each models/*.tflite:
- input: case 0 of models/golden/<stem>.fggv, else a deterministic pseudo-random int8 input
  (numpy PCG64 seeded with crc32 of the stem);
- runtimes, all single thread: facegate-nn and tract (the Rust binary in tools/bench/engine,
  built --release, JSON lines), LiteRT default (XNNPACK delegate), LiteRT BUILTIN_REF
  (reference kernels) and LiteRT BUILTIN_WITHOUT_DEFAULT_DELEGATES (optimized kernels);
- one timed run = write the input + invoke; `--rounds` rounds of `--runs` timed runs each
  (after `--warmup` untimed runs per round; a runtime stops early in a round once its runs
  took `--budget` seconds and 5 were done), the runtimes taking turns inside each round so
  that load from other processes spreads over all of them;
- prints median / p10 / p90 wall time, median thread CPU time, the ratios of facegate-nn to
  the others (of the wall and of the CPU medians), and whether facegate-nn's outputs equal LiteRT
  reference outputs byte for byte (plus the largest difference in LSB of every runtime).
`--native` adds facegate-nn built with `-C target-cpu=native` (this host's SIMD; the default
build targets baseline x86-64, while XNNPACK chooses kernels for the CPU at run time).
`--engine-rev REV` (default HEAD) builds crates/nn as committed at REV (exported with git
archive under the bench's target dir), so the numbers belong to a commit; `worktree` builds
the working tree as it is.
"""
import argparse
import datetime
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ENGINE_DIR = REPO / "tools" / "bench" / "engine"
VENV_PYTHON = os.environ.get("FACEGATE_BENCH_PYTHON", "/work/venv-models/bin/python")

try:
    import numpy as np
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
except ImportError:
    if not os.environ.get("FACEGATE_BENCH_REEXEC") and Path(VENV_PYTHON).exists():
        os.environ["FACEGATE_BENCH_REEXEC"] = "1"
        os.execv(VENV_PYTHON, [VENV_PYTHON, *sys.argv])
    sys.exit(
        f"run.py: numpy and ai-edge-litert are missing from {sys.executable} (and "
        f"{VENV_PYTHON} does not exist or lacks them). Create the venv with:\n"
        f"  python3 -m venv /work/venv-models && /work/venv-models/bin/pip install "
        f"-r {Path(__file__).resolve().parent / 'requirements.txt'}\n"
        f"or point FACEGATE_BENCH_PYTHON at a Python that has them."
    )

sys.path.insert(0, str(REPO / "tools" / "models"))
import fggv  # noqa: E402  (the golden-vector reader of the models tools)

LITERT = {  # label -> Interpreter keyword arguments
    "xnnpack": {},
    "ref": {"experimental_op_resolver_type": OpResolverType.BUILTIN_REF},
    "opt": {"experimental_op_resolver_type": OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES},
}
ORDER = ["engine", "native", "xnnpack", "opt", "ref", "tract"]
NAMES = {"engine": "facegate-nn", "native": "facegate-nn native", "xnnpack": "LiteRT XNNPACK",
         "opt": "LiteRT optimized", "ref": "LiteRT reference", "tract": "tract"}
SHORT = dict(NAMES, xnnpack="XNNPACK", opt="optimized", ref="reference")


def sh(*cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout.strip()


def target_dir():
    return Path(os.environ.get("CARGO_TARGET_DIR", ENGINE_DIR / "target"))


def nn_commit(rev):
    """`rev` and the last commit at or before it that changed crates/nn."""
    last = sh("git", "-C", str(REPO), "log", "-1", "--format=%h", rev, "--", "crates/nn")
    return f"{sh('git', '-C', str(REPO), 'rev-parse', '--short=7', rev)} (crates/nn last " \
           f"changed in {last})"


def engine_source(rev):
    """Directory holding crates/nn at `rev` plus the current bench crate; its commit label."""
    if rev == "worktree":
        dirty = sh("git", "-C", str(REPO), "status", "--porcelain", "--", "crates/nn")
        return REPO, nn_commit("HEAD") + (" + uncommitted crates/nn changes" if dirty else "")
    commit = sh("git", "-C", str(REPO), "rev-parse", "--short=10", rev)
    root = target_dir() / f"src-{commit}"
    if not (root / "crates" / "nn" / "Cargo.toml").exists():
        root.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "-C", str(REPO), "archive", commit],
                                 check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(root)], input=archive, check=True)
    bench = root / "tools" / "bench" / "engine"
    shutil.rmtree(bench, ignore_errors=True)
    shutil.copytree(ENGINE_DIR, bench, ignore=shutil.ignore_patterns("target"))
    return root, nn_commit(commit)


def build(root, native=False):
    """The bench binary; `native`: engine only (no tract), `-C target-cpu=native`."""
    manifest = root / "tools" / "bench" / "engine" / "Cargo.toml"
    target = target_dir() / "native" if native else target_dir()
    env = dict(os.environ, CARGO_TARGET_DIR=str(target))
    cmd = ["cargo", "build", "--release", "--quiet", "--manifest-path", str(manifest)]
    if native:
        env["RUSTFLAGS"] = (env.get("RUSTFLAGS", "") + " -C target-cpu=native").strip()
        cmd.append("--no-default-features")
    subprocess.run(cmd, check=True, env=env)
    return target / "release" / "facegate-bench-engine"


def litert(model_bytes, kw):
    it = Interpreter(model_content=model_bytes, num_threads=1, **kw)
    it.allocate_tensors()
    return it


def model_inputs(model, details):
    """Raw input arrays in the model's input order, and where they came from."""
    golden = REPO / "models" / "golden" / (model.stem + ".fggv")
    if golden.exists():
        ins = dict(fggv.read(golden)[0][0])
        if all(d["index"] in ins for d in details):
            return [ins[d["index"]] for d in details], f"golden {golden.name} case 0", golden
    rng = np.random.default_rng(zlib.crc32(model.stem.encode()))
    arrs = []
    for d in details:
        if np.issubdtype(d["dtype"], np.floating):
            arrs.append(rng.standard_normal(d["shape"]).astype(d["dtype"]))
            continue
        info = np.iinfo(d["dtype"])
        arrs.append(rng.integers(info.min, info.max + 1, d["shape"], dtype=d["dtype"]))
    return arrs, "pseudo-random (seed crc32(stem))", None


def time_litert(it, inputs, warmup, runs, budget_s):
    details = it.get_input_details()

    def once():
        for d, x in zip(details, inputs):
            it.set_tensor(d["index"], x)
        it.invoke()

    for _ in range(warmup):
        once()
    wall, cpu = [], []
    start = time.perf_counter()
    for k in range(runs):
        if k >= min(runs, 5) and time.perf_counter() - start > budget_s:
            break
        c0, t0 = time.thread_time_ns(), time.perf_counter_ns()
        once()
        t1, c1 = time.perf_counter_ns(), time.thread_time_ns()
        wall.append((t1 - t0) / 1e3)
        cpu.append((c1 - c0) / 1e3)
    return wall, cpu, [it.get_tensor(d["index"]).copy() for d in it.get_output_details()]


def stats(wall, cpu):
    w = np.asarray(wall)
    return dict(n=len(wall), median_ms=float(np.median(w)) / 1e3,
                p10_ms=float(np.percentile(w, 10)) / 1e3, p90_ms=float(np.percentile(w, 90)) / 1e3,
                cpu_median_ms=float(np.median(cpu)) / 1e3)


def max_lsb(a, b):
    return int(np.max(np.abs(a.astype(np.int64) - b.astype(np.int64)))) if a.size else 0


def bench_model(model, binaries, args, tmp):
    """binaries: {"engine": path} and optionally {"native": path} (engine-only build)."""
    # One snapshot of the file for every runtime: the models may be rebuilt while the bench
    # runs (and LiteRT would mmap a model_path, which dies with SIGBUS if it is rewritten).
    model_bytes = model.read_bytes()
    snapshot = tmp / model.name
    snapshot.write_bytes(model_bytes)
    its = {k: litert(model_bytes, kw) for k, kw in LITERT.items()}
    in_details = its["ref"].get_input_details()
    out_details = its["ref"].get_output_details()
    inputs, source, golden = model_inputs(model, in_details)
    in_files = []
    for i, x in enumerate(inputs):
        p = tmp / f"{model.stem}.in{i}.bin"
        p.write_bytes(np.ascontiguousarray(x).tobytes())
        in_files += ["--input", str(p)]
    out_dir = tmp / model.stem
    times = {k: ([], []) for k in ORDER}
    info, errors, outs = {}, {}, {}
    load = [os.getloadavg()[0]]
    for _ in range(args.rounds):
        for label, binary in binaries.items():
            cmd = [str(binary), "--model", str(snapshot), *in_files, "--runs", str(args.runs),
                   "--warmup", str(args.warmup), "--budget-s", str(args.budget),
                   "--out-dir", str(out_dir / label)]
            if label == "native":
                cmd += ["--runtime", "engine"]
            run_binary(cmd, label, times, info, errors)
        for k, it in its.items():
            wall, cpu, outs[k] = time_litert(it, inputs, args.warmup, args.runs, args.budget)
            times[k][0].extend(wall)
            times[k][1].extend(cpu)
    load.append(os.getloadavg()[0])
    ref = outs["ref"]
    files = {"engine": "engine/engine", "native": "native/engine", "tract": "engine/tract"}
    for rt, f in files.items():
        if rt in info:
            try:
                outs[rt] = [np.fromfile(out_dir / f"{f}.out{i}.bin", dtype=d["dtype"]).reshape(
                    d["shape"]) for i, d in enumerate(out_details)]
            except (OSError, ValueError) as e:
                errors[rt + " outputs"] = f"unreadable: {e}"
    res = dict(model=model.stem, input=source, load1=load, errors=errors,
               model_sha256=hashlib.sha256(model_bytes).hexdigest()[:12],
               arena_bytes=info.get("engine", {}).get("arena_bytes"),
               pack_bytes=info.get("engine", {}).get("pack_bytes"), runtimes={})
    for rt in ORDER:
        if times[rt][0]:
            res["runtimes"][rt] = stats(*times[rt])
            if rt in outs:
                res["runtimes"][rt]["max_lsb_vs_ref"] = max(
                    (max_lsb(a, b) for a, b in zip(outs[rt], ref)), default=0)
    res["equals_ref"] = {rt: all(a.shape == b.shape and a.tobytes() == b.tobytes()
                                 for a, b in zip(outs[rt], ref))
                         for rt in ("engine", "native") if rt in outs}
    if golden is not None:
        gold = dict(fggv.read(golden)[0][1])
        res["ref_equals_golden"] = all(np.array_equal(gold[d["index"]], r)
                                       for d, r in zip(out_details, ref) if d["index"] in gold)
    eng = res["runtimes"].get("engine")
    res["ratios"] = {k: eng["median_ms"] / v["median_ms"]
                     for k, v in res["runtimes"].items() if eng and k != "engine"}
    res["cpu_ratios"] = {k: eng["cpu_median_ms"] / v["cpu_median_ms"]
                         for k, v in res["runtimes"].items() if eng and k != "engine"}
    return res


def run_binary(cmd, label, times, info, errors):
    """Runs the bench binary once; adds its timings (runtime "engine" renamed to `label`)."""
    proc = subprocess.run(cmd, capture_output=True, text=True)
    for line in proc.stdout.splitlines():
        rec = json.loads(line)
        rt = label if rec["runtime"] == "engine" else rec["runtime"]
        if "error" in rec:
            ops = re.findall(r"builtin_code: (\w+)", rec.get("detail", ""))
            root = rec["error"].replace(": OperatorCode {", "").rstrip(" :{")
            errors[rt] = (f"does not load: {ops[-1]}: " if ops else "") + root
            continue
        times[rt][0].extend(rec["wall_us"])
        times[rt][1].extend(rec["cpu_us"])
        info[rt] = rec
    if proc.returncode != 0:
        errors.setdefault(label, f"bench binary exit {proc.returncode}: {proc.stderr[-300:]}")


def machine():
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} logical CPUs, {platform.system()} {platform.release()}"


def shown(results):
    """The runtimes that ran or failed in any of `results`, in table order."""
    return [rt for rt in ORDER if any(rt in r["runtimes"] or rt in r["errors"] for r in results)]


def print_table(results):
    for r in results:
        print(f"\n## {r['model']}  (sha256 {r['model_sha256']}; input: {r['input']}; "
              f"load1 {r['load1'][0]:.2f} -> "
              f"{r['load1'][1]:.2f}; facegate-nn arena {r['arena_bytes']} B, "
              f"packed filters {r.get('pack_bytes')} B)")
        print(f"{'runtime':18} {'median ms':>10} {'p10':>9} {'p90':>9} {'nn/this':>8} "
              f"{'cpu med':>9} {'nn/this':>8} {'max LSB vs ref':>15}")
        for rt in shown(results):
            s = r["runtimes"].get(rt)
            if s is None:
                msg = r["errors"].get(rt, "not run").splitlines()[0][:90]
                print(f"{NAMES[rt]:18} {'-':>10}   ({msg})")
                continue
            ratio = f"{r['ratios'][rt]:.2f}x" if rt in r["ratios"] else ""
            cratio = f"{r['cpu_ratios'][rt]:.2f}x" if rt in r["cpu_ratios"] else ""
            lsb = s.get("max_lsb_vs_ref", "?")
            print(f"{NAMES[rt]:18} {s['median_ms']:10.3f} {s['p10_ms']:9.3f} {s['p90_ms']:9.3f} "
                  f"{ratio:>8} {s['cpu_median_ms']:9.3f} {cratio:>8} {lsb:>15}")
        for rt, same in r["equals_ref"].items():
            print(f"{NAMES[rt]} outputs == LiteRT reference outputs, byte for byte: "
                  f"{'YES' if same else 'NO'}")
        if "ref_equals_golden" in r:
            print(f"LiteRT reference outputs == golden case 0 outputs: "
                  f"{'yes' if r['ref_equals_golden'] else 'NO'}")
        for rt, e in r["errors"].items():
            print(f"{NAMES.get(rt, rt)} error: {e.splitlines()[0][:200]}")


def markdown(head, results):
    """Two markdown tables (wall time, thread CPU time) of the results, for docs/performance.md."""
    rts = shown(results)
    names = [SHORT[rt] for rt in rts]
    ratio_heads = [f"nn/{SHORT[rt].replace('facegate-nn ', '')}" for rt in rts[1:]]
    lines = [f"Measured {head['date']}, engine {head['engine_commit']}; {head['machine']}; "
             f"LiteRT {head['litert']}; {head['runs']}.", "",
             "Wall time per inference, median [p10, p90] in ms:", "",
             "| model | input | " + " | ".join(names + ratio_heads) +
             " | nn == reference, bytes | load1 |",
             "|---" * (len(names) + len(ratio_heads) + 4) + "|"]
    for r in results:
        cells = [r["model"], "golden case 0" if r["input"].startswith("golden") else r["input"]]
        for rt in rts:
            s = r["runtimes"].get(rt)
            cells.append(f"{s['median_ms']:.2f} [{s['p10_ms']:.2f}, {s['p90_ms']:.2f}]" if s
                         else "does not load" if rt in r["errors"] else "-")
        cells += [f"{r['ratios'][rt]:.2f}x" if rt in r["ratios"] else "-" for rt in rts[1:]]
        cells.append(", ".join(f"{SHORT[rt]}: {'yes' if same else '**NO**'}"
                               for rt, same in r["equals_ref"].items()) or "-")
        cells.append(f"{r['load1'][0]:.1f}-{r['load1'][1]:.1f}")
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "Thread CPU time per inference, median in ms (ratio facegate-nn / other):", "",
              "| model | " + " | ".join(names)
              + " | facegate-nn arena bytes | packed filter bytes | model sha256 |",
              "|---" * (len(names) + 4) + "|"]
    for r in results:
        cells = [r["model"]]
        for rt in rts:
            s = r["runtimes"].get(rt)
            ratio = f" ({r['cpu_ratios'][rt]:.2f}x)" if rt in r["cpu_ratios"] else ""
            cells.append(f"{s['cpu_median_ms']:.2f}{ratio}" if s else "-")
        cells.append(f"{r['arena_bytes']:,}" if r["arena_bytes"] else "-")
        cells.append(f"{r['pack_bytes']:,}" if r.get("pack_bytes") is not None else "-")
        cells.append(r["model_sha256"])
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "Largest difference of each runtime's outputs from LiteRT reference outputs "
              "(LSB): " + "; ".join(
                  r["model"] + ": " + ", ".join(
                      f"{n} {r['runtimes'][rt]['max_lsb_vs_ref']}"
                      for rt, n in zip(rts, names)
                      if "max_lsb_vs_ref" in r["runtimes"].get(rt, {}))
                  for r in results) + ".", ""]
    errs = sorted({f"{e}" for r in results for e in r["errors"].values()})
    if errs:
        lines += ["Errors: " + "; ".join(errs) + ".", ""]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=30, help="timed runs per round (default 30)")
    ap.add_argument("--rounds", type=int, default=3, help="rounds (default 3)")
    ap.add_argument("--warmup", type=int, default=3, help="untimed runs per round (default 3)")
    ap.add_argument("--budget", type=float, default=8.0,
                    help="seconds per runtime per round after which timing stops early, once "
                         "5 runs are done (default 8)")
    ap.add_argument("--models", nargs="*", help="model stems (default: all models/*.tflite)")
    ap.add_argument("--engine-rev", default="HEAD", help="git rev of crates/nn, or worktree")
    ap.add_argument("--native", action="store_true",
                    help="also time facegate-nn built with -C target-cpu=native (engine only)")
    ap.add_argument("--json", type=Path, help="also write the results here")
    ap.add_argument("--markdown", type=Path, help="also write markdown tables here")
    args = ap.parse_args()
    models = sorted((REPO / "models").glob("*.tflite"))
    if args.models:
        models = [m for m in models if m.stem in args.models]
    root, commit = engine_source(args.engine_rev)
    binaries = {"engine": build(root)}
    if args.native:
        binaries["native"] = build(root, native=True)
    from importlib.metadata import version
    head = dict(date=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                engine_commit=commit, machine=machine(),
                litert=version("ai-edge-litert"), numpy=np.__version__,
                runs=f"{args.rounds} rounds x {args.runs} runs (+{args.warmup} warm-up each, "
                     f"fewer past {args.budget:g} s per round)")
    print(" | ".join(f"{k}: {v}" for k, v in head.items()), flush=True)
    results = []
    with tempfile.TemporaryDirectory(prefix="facegate-bench-") as tmp:
        for m in models:
            results.append(bench_model(m, binaries, args, Path(tmp)))
            print_table(results[-1:])
            sys.stdout.flush()
    if args.json:
        args.json.write_text(json.dumps(dict(head, results=results), indent=1))
    if args.markdown:
        args.markdown.write_text(markdown(head, results))


if __name__ == "__main__":
    main()
