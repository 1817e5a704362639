"""Writes a run's results: one JSON file per scenario, a Markdown table with ratios against each
baseline, and PNG charts of throughput and of CPU per 100k contacts."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, List, Optional

OURS = ["cli", "py-file", "py-dictreader", "py-polars", "go-binding", "go-file"]
BASELINES = ["py-requests", "py-aiohttp", "go-nethttp"]


def _fmt(v: Optional[float], digits: int = 2) -> str:
    return "—" if v is None else f"{v:.{digits}f}"


def markdown(rows: List[dict], machine: str, date: str, titles: Dict[str, str]) -> str:
    out = [f"Run on {date}, {machine}. Client CPU = user+sys of the contender's process tree; "
           "rows stored = read from the emulator after the run.", ""]
    for scenario in dict.fromkeys(r["scenario"] for r in rows):
        rs = [r for r in rows if r["scenario"] == scenario]
        best = rs[0]["best_s"]
        out += [f"### {titles.get(scenario, scenario)}", "",
                f"{rs[0]['rows']:,} rows, {rs[0]['expected']:,} valid; theoretical best "
                f"{_fmt(best)} s" if best else f"{rs[0]['rows']:,} rows, {rs[0]['expected']:,} valid", "",
                "| contender | wall s | rows/s | CPU s | CPU s /100k | peak RSS MiB | requests | 429s "
                "| stored | lost | efficiency |",
                "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for r in rs:
            out.append(f"| {r['contender']} | {_fmt(r['wall_s'])} | {r['rows_per_s'] or 0:,} | {_fmt(r['cpu_s'])} "
                       f"| {_fmt(r['cpu_per_100k_s'])} | {_fmt(r['peak_rss_mib'], 1)} | {r['requests']} "
                       f"| {r['status_429']} | {r['stored']:,} | {r['lost']:,} | {_fmt(r['efficiency'])} |")
        by = {r["contender"]: r for r in rs}
        ratio_rows = []
        for ours in OURS:
            if ours not in by:
                continue
            cells = []
            for base in BASELINES:
                if base not in by or not by[ours]["wall_s"] or not by[base]["cpu_s"]:
                    cells.append("—")
                    continue
                speed = by[base]["wall_s"] / by[ours]["wall_s"]
                cpu = by[ours]["cpu_s"] / by[base]["cpu_s"]
                cells.append(f"{speed:.2f}× faster, {cpu:.2f}× CPU")
            ratio_rows.append(f"| {ours} | " + " | ".join(cells) + " |")
        if ratio_rows:
            out += ["", "| ours vs | " + " | ".join(BASELINES) + " |",
                    "|---|" + "---|" * len(BASELINES)] + ratio_rows
        tls = [r for r in rs if r.get("tls_cpu_ratio") is not None]
        if tls:
            out += ["", "CPU cost of TLS (HTTPS + HTTP/2 through nginx, over the same contender on plain HTTP): "
                    + ", ".join(f"{r['contender'].replace(' (TLS)', '')} {r['tls_cpu_ratio']:.2f}×" for r in tls)]
        if "py-polars" in by and "py-file" in by and by["py-file"]["cpu_s"]:
            ratio = by["py-polars"]["cpu_s"] / by["py-file"]["cpu_s"]
            note = ("issue 18's target: ≤ 1.5×" if rs[0]["rows"] >= 1_000_000 else
                    "at this size importing polars dominates; the target, ≤ 1.5×, is for 1,000,000 rows")
            out += ["", f"A polars DataFrame of these rows (`upsert_dataframe`) took {ratio:.2f}× the CPU "
                        f"of `upsert_file` on the CSV ({note})."]
        if scenario == "shared":
            from harness.shared_budget import ratio_lines
            out += ratio_lines(rs)
        out.append("")
    return "\n".join(out)


def charts(rows: List[dict], folder: Path) -> List[Path]:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return []
    made = []
    scenarios = list(dict.fromkeys(r["scenario"] for r in rows))
    contenders = list(dict.fromkeys(r["contender"] for r in rows))
    fig, ax = plt.subplots(figsize=(10, 5))
    width = 0.8 / max(1, len(contenders))
    for i, c in enumerate(contenders):
        ys = [next((r["rows_per_s"] or 0 for r in rows if r["scenario"] == s and r["contender"] == c), 0)
              for s in scenarios]
        ax.bar([x + i * width for x in range(len(scenarios))], ys, width, label=c)
    ax.set_xticks([x + width * (len(contenders) - 1) / 2 for x in range(len(scenarios))], scenarios)
    ax.set_ylabel("contacts stored per second")
    ax.set_title("Throughput by scenario (higher is better)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    made.append(folder / "throughput.png")
    fig.savefig(made[-1], dpi=100)
    plt.close(fig)
    cpu_rows = [r for r in rows if r["scenario"] == "cpu"] or rows
    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.barh([r["contender"] for r in cpu_rows], [r["cpu_per_100k_s"] for r in cpu_rows],
            color=["tab:green" if r["contender"] in OURS else "tab:gray" for r in cpu_rows])
    ax.set_xlabel("client CPU seconds per 100k contacts (lower is better)")
    ax.set_title(f"Client CPU, scenario {cpu_rows[0]['scenario']}")
    fig.tight_layout()
    made.append(folder / "cpu.png")
    fig.savefig(made[-1], dpi=100)
    plt.close(fig)
    return made


def write_results(rows: List[dict], folder: Path, smoke: bool, machine: str, date: str,
                  titles: Dict[str, str]) -> None:
    if smoke:
        folder = folder.parent / "work" / "smoke-results"
    folder.mkdir(parents=True, exist_ok=True)
    for scenario in dict.fromkeys(r["scenario"] for r in rows):
        rs = [r for r in rows if r["scenario"] == scenario]
        (folder / f"{date}-{scenario}.json").write_text(json.dumps(
            {"date": date, "machine": machine, "smoke": smoke, "runs": rs}, indent=2) + "\n")
    md = markdown(rows, machine, date, titles)
    (folder / "latest.md").write_text(md)
    made = charts(rows, folder)
    print(md)
    for p in made:
        print(f"[bench] chart: {p}")
