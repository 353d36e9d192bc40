"""Vitis HLS synthesis reports, read: per module, its latency, interval, loops and resources.

A ``solution/syn/report`` folder holds ``csynth.xml`` (the top function; since Vitis 2021
also a ``ModuleInformation`` section with every module), one ``MODULE_csynth.xml`` per
module, and the same as text in ``*.rpt`` — except the top ``csynth.rpt`` of Vitis 2022.1
and later, a "Synthesis Summary Report" of every module and loop (``csynth_summary``).
``read_reports(paths)`` reads files or folders of any of these and returns one
``ModuleReport`` (``synth_report``) per module (XML preferred over text when both describe
it, a module's own report over the summary)::

    <profile>
      <UserAssignments><Part>xczu3eg-...</Part><TopModelName>conv1_layer</TopModelName>
        <TargetClockPeriod>10.00</TargetClockPeriod></UserAssignments>
      <PerformanceEstimates><SummaryOfOverallLatency>
          <Best-caseLatency>..</Best-caseLatency><Worst-caseLatency>..</Worst-caseLatency>
          <Interval-min>..</Interval-min><Interval-max>..</Interval-max></SummaryOfOverallLatency>
        <SummaryOfLoopLatency><LOOP_NAME><TripCount>..</TripCount><Latency>..</Latency>
          <PipelineII>..</PipelineII><PipelineDepth>..</PipelineDepth>...</LOOP_NAME>
      </SummaryOfLoopLatency></PerformanceEstimates>
      <AreaEstimates><Resources><BRAM_18K>..</BRAM_18K><DSP>..</DSP><FF>..</FF>
        <LUT>..</LUT><URAM>..</URAM></Resources></AreaEstimates>
    </profile>

Values Vitis cannot bound (``?``, ``undef``, ``-``) are ``None``. Files are read with a
size limit and without DTDs or entities (``xml.etree`` on expat, which refuses entity
expansion attacks); a file that is not a report is an error naming it.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from .csynth_summary import is_summary, read_summary
from .synth_report import RESOURCES, LoopReport, ModuleReport, number

MAX_BYTES = 64 << 20  # a report larger than this is not one


def read_reports(paths) -> dict[str, ModuleReport]:
    """Every module of the reports under ``paths`` (files, or folders searched for
    ``*csynth.xml`` and ``*csynth.rpt``), by module name."""
    files: list[Path] = []
    paths = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
    for path in paths:
        if path.is_dir():
            files += sorted(path.rglob("*csynth.xml")) + sorted(path.rglob("*csynth.rpt"))
        elif path.is_file():
            files.append(path)
        else:
            raise ValueError(f"{path}: no such report file or folder")
    if not files:
        raise ValueError(f"no csynth.xml or csynth.rpt report under {', '.join(map(str, paths))}")
    modules: dict[str, tuple[int, ModuleReport]] = {}  # name -> (rank of its source, report)
    for file in files:
        found = _read_xml(file) if file.suffix == ".xml" else _read_rpt(file)
        for module in found:
            # a module's own XML says most, then its own text report, then a line of the summary
            rank = 2 if file.suffix == ".xml" else 0 if module.from_summary else 1
            if module.name not in modules or rank > modules[module.name][0]:
                modules[module.name] = (rank, module)
    return {name: module for name, (_, module) in modules.items()}


# ----------------------------------------------------------------------------- XML
def _read_xml(path: Path) -> list[ModuleReport]:
    text = _read_text(path)
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise ValueError(f"{path}: a report has no DTD or entities; refusing to read this one")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as err:
        raise ValueError(f"{path}: not a csynth XML report ({err})") from None
    if root.find("PerformanceEstimates") is None and root.find("ModuleInformation") is None:
        raise ValueError(f"{path}: not a csynth XML report (no PerformanceEstimates)")
    part, clock = _text(root, "UserAssignments/Part"), number(_text(root, "UserAssignments/TargetClockPeriod"), float)
    version = _text(root, "ReportVersion/Version")
    found = []
    top = _text(root, "UserAssignments/TopModelName")
    if top and root.find("PerformanceEstimates") is not None:
        found.append(_module_xml(top, root, str(path), part, clock, version))
    for module in root.findall("ModuleInformation/Module"):
        name = _text(module, "Name")
        if name and name != top:
            found.append(_module_xml(name, module, str(path), part, clock, version))
    return found


def _module_xml(name: str, node, source: str, part: str, clock, version: str) -> ModuleReport:
    overall = node.find("PerformanceEstimates/SummaryOfOverallLatency")
    get = (lambda key: number(_text(overall, key))) if overall is not None else (lambda key: None)
    resources = {}
    area = node.find("AreaEstimates/Resources")
    for key in RESOURCES:
        value = number(_text(area, key)) if area is not None else None
        if value is None and key == "DSP" and area is not None:
            value = number(_text(area, "DSP48E"))  # Vivado HLS spells DSP so
        resources[key] = value or 0
    loops_node = node.find("PerformanceEstimates/SummaryOfLoopLatency")
    loops = tuple(_loop_xml(child) for child in loops_node) if loops_node is not None else ()
    return ModuleReport(name, source, get("Best-caseLatency"), get("Worst-caseLatency"), get("Interval-max"),
                        resources, loops, part, clock, version)


def _loop_xml(node) -> LoopReport:
    children = tuple(_loop_xml(child) for child in node if child.find("TripCount") is not None
                     or child.find("Latency") is not None)
    return LoopReport(_text(node, "Name") or node.tag, number(_text(node, "TripCount")),
                      number(_text(node, "Latency")), number(_text(node, "IterationLatency")),
                      number(_text(node, "PipelineII")), number(_text(node, "PipelineDepth")), children)


# ----------------------------------------------------------------------------- text
ROW = re.compile(r"^\s*\|(.*)\|\s*$")


def _read_rpt(path: Path) -> list[ModuleReport]:
    text = _read_text(path)
    if is_summary(text):  # Vitis 2022.1+: syn/report/csynth.rpt, every module and loop in one table
        return read_summary(text, str(path))
    title = re.search(r"== (?:Vitis|Vivado) HLS Report for '([^']+)'", text)
    if not title:
        raise ValueError(f"{path}: not a csynth text report (no \"HLS Report for '...'\" or \"Synthesis "
                         f"Summary Report of '...'\" title)")
    part = re.search(r"\* Target device:\s*(\S+)", text)
    version = re.search(r"\* Version:\s*(\S+)", text)
    clock = re.search(r"\|ap_clk\s*\|\s*([\d.]+)\s*ns", text)
    latency = _table_after(text, "+ Latency:", "* Summary:")
    best = worst = interval = None
    if latency:
        cells = latency[0]  # min, max latency; min, max absolute; min, max interval; pipeline type
        best, worst = number(cells[0]), number(cells[1])
        interval = number(cells[5]) if len(cells) > 5 else None
    loops = []
    for cells in _table_after(text, "* Loop:", "") or []:
        name = cells[0].lstrip("- ").strip()
        if name and name != "Loop Name":  # latency min, max, iteration latency, II achieved, target, trip count
            loops.append(LoopReport(name, number(cells[6]) if len(cells) > 6 else None, number(cells[2]),
                                    number(cells[3]), number(cells[4])))
    resources = {key: 0 for key in RESOURCES}
    total = re.search(r"^\|Total\s*\|([^\n]*)\|\s*$", text[text.find("== Utilization Estimates"):], re.M)
    if total:
        values = [c.strip() for c in total.group(1).split("|")]
        header = re.search(r"^\|\s*Name\s*\|([^\n]*)\|\s*$", text[text.find("== Utilization Estimates"):], re.M)
        keys = [c.strip() for c in header.group(1).split("|")] if header else list(RESOURCES)
        for key, value in zip(keys, values):
            key = "DSP" if key == "DSP48E" else key
            if key in resources:
                resources[key] = number(value) or 0
    return [ModuleReport(title.group(1), str(path), best, worst, interval, resources, tuple(loops),
                         part.group(1) if part else "", float(clock.group(1)) if clock else None,
                         version.group(1) if version else "")]


def _table_after(text: str, heading: str, subheading: str) -> list[list[str]]:
    """The data rows (cells) of the first table after ``heading`` (and ``subheading``)."""
    start = text.find(heading)
    if start < 0:
        return []
    if subheading:
        start = text.find(subheading, start)
    rows, seen_border = [], 0
    for line in text[start:].splitlines()[1:]:
        if line.strip().startswith("+-"):
            seen_border += 1
            if seen_border == 3:  # top border, header's bottom border, then the table's end
                break
            continue
        match = ROW.match(line)
        if match and seen_border == 2:
            rows.append([c.strip() for c in match.group(1).split("|")])
        elif not match and (seen_border or line.strip()):  # the table ended, or there is none ("N/A")
            break
    return rows


# ----------------------------------------------------------------------------- helpers
def _read_text(path: Path) -> str:
    if path.stat().st_size > MAX_BYTES:
        raise ValueError(f"{path}: {path.stat().st_size} bytes is too large for a synthesis report")
    return path.read_text(errors="replace")


def _text(node, path: str) -> str:
    found = node.find(path) if node is not None else None
    return (found.text or "").strip() if found is not None else ""
