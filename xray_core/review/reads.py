"""Reads: the blinded (unaided) read first, then the aided read after the AI is revealed.

Each read is its own committed transaction (killing the app loses nothing already saved). A
read is never overwritten: the aided read is a second row, and a reader who keeps their
verdict still records it (that is the aided read). The 1-5 confidence is one scale:
1 definitely normal, 2 probably normal, 3 undecided, 4 probably pneumonia, 5 definitely
pneumonia; so NORMAL goes with 1-3 and PNEUMONIA with 3-5.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from xray_core.config import CLASS_NAMES
from xray_core.review import db
from xray_core.review.access import check_reader_token
from xray_core.review.db import PHASES, ReviewError
from xray_core.review.sessions import (
    Case,
    Session,
    check_reader,
    find_case,
    get_session,
    list_cases,
)

MAX_NOTE_CHARS = 2000
MAX_CSV_BYTES = 50 * 1024 * 1024
CONFIDENCE_LABELS = {
    1: "1 · definitely normal",
    2: "2 · probably normal",
    3: "3 · undecided",
    4: "4 · probably pneumonia",
    5: "5 · definitely pneumonia",
}
CSV_COLUMNS = ("reader", "case", "phase", "verdict", "confidence")


@dataclass(frozen=True)
class Read:
    """One stored read. confidence: 1-5; seconds: reading time (None if unknown)."""

    sha256: str
    reader: str
    phase: str
    verdict: str
    confidence: int
    note: str | None
    seconds: float | None
    source: str
    created_at: str


def check_read(phase: str, verdict: str, confidence) -> tuple[str, str, int]:
    """Validate (phase, verdict, confidence); returns them normalised."""
    if phase not in PHASES:
        raise ReviewError(f"phase must be one of {', '.join(PHASES)}, got {phase!r}.")
    verdict = str(verdict).strip().upper()
    verdict = {"0": "NORMAL", "1": "PNEUMONIA"}.get(verdict, verdict)
    if verdict not in CLASS_NAMES:
        raise ReviewError(f"verdict must be NORMAL or PNEUMONIA, got {verdict!r}.")
    try:
        conf = int(str(confidence).strip())
    except ValueError:
        raise ReviewError(f"confidence must be an integer 1-5, got {confidence!r}.") from None
    if not 1 <= conf <= 5:
        raise ReviewError(f"confidence must be 1-5, got {conf}.")
    if (verdict == "NORMAL" and conf > 3) or (verdict == "PNEUMONIA" and conf < 3):
        raise ReviewError(
            f"confidence {conf} contradicts verdict {verdict} (NORMAL is 1-3, PNEUMONIA 3-5)."
        )
    return phase, verdict, conf


def _check_seconds(seconds) -> float | None:
    if seconds in (None, ""):
        return None
    try:
        value = float(seconds)
    except ValueError:
        raise ReviewError(f"seconds must be a number, got {seconds!r}.") from None
    if not 0 <= value < 86400:
        raise ReviewError(f"seconds must be in [0, 86400), got {value}.")
    return value


def _join(con, session: Session, reader: str) -> None:
    known = con.execute(
        "SELECT 1 FROM readers WHERE session_id = ? AND reader = ?", (session.id, reader)
    ).fetchone()
    if not known:
        con.execute(
            "INSERT INTO readers (session_id, reader, joined_at) VALUES (?, ?, ?)",
            (session.id, reader, db.now()),
        )
        db.audit(con, "joined", session.id, reader)


def join(path, session_name: str, reader: str) -> Session:
    """Register a reader pseudonym in a session (idempotent); returns the session."""
    reader = check_reader(reader)
    with db.connect(path) as con, db.transaction(con):
        session = get_session(con, session_name)
        _join(con, session, reader)
    return session


def _insert(con, session: Session, reader: str, case: Case, values: tuple, source: str) -> str:
    """Insert one validated read; returns the audit event. ReviewError on a repeated read."""
    phase, verdict, conf, note, seconds = values
    rows = con.execute(
        "SELECT phase, verdict, confidence FROM reads WHERE session_id = ? AND sha256 = ? "
        "AND reader = ?",
        (session.id, case.sha256, reader),
    ).fetchall()
    done = {r["phase"]: r for r in rows}
    if phase in done:
        raise ReviewError(f"{reader} already has an {phase} read of {case.case_id}.")
    if phase == "aided" and "unaided" not in done:
        raise ReviewError(f"{reader} has no unaided read of {case.case_id} yet.")
    con.execute(
        "INSERT INTO reads (session_id, sha256, reader, phase, verdict, confidence, note, "
        "seconds, source, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
        (session.id, case.sha256, reader, phase, verdict, conf, note, seconds, source, db.now()),
    )
    if phase == "unaided":
        return "read"
    first = done["unaided"]
    same = first["verdict"] == verdict and first["confidence"] == conf
    return "confirmed" if same else "revised"


def record_read(
    path, session_name: str, reader: str, sha256: str, phase: str, verdict: str,
    confidence: int, note: str | None = None, seconds: float | None = None,
    token: str | None = None, require_access: bool = False,
) -> Read:  # fmt: skip
    """Store one read at once (its own transaction). Raises ReviewError on bad input, a read
    already made, or an aided read before the unaided one; nothing is stored then.

    token: the reader's link: the read is stored only while that link is live and is
    `reader`'s own in this session. require_access (the app): without a token the session
    must be open at the moment of saving (the owner may have closed it meanwhile)."""
    reader = check_reader(reader)
    values = (*check_read(phase, verdict, confidence), _clean_note(note), _check_seconds(seconds))
    with db.connect(path) as con, db.transaction(con):
        session = get_session(con, session_name)
        if token is not None:
            check_reader_token(con, token, session, reader)
        elif require_access and session.access != "open":
            raise ReviewError("this session is invite-only now: read through your own link.")
        case = find_case(list_cases(con, session.id), sha256, session.keep_names)
        _join(con, session, reader)
        event = _insert(con, session, reader, case, values, "app")
        db.audit(con, event, session.id, reader, case=case.case_id, phase=phase)
    return Read(case.sha256, reader, *values[:3], values[3], values[4], "app", "")


def _clean_note(note) -> str | None:
    """A note: at most 2000 characters, no control characters but line breaks and tabs."""
    note = (note or "").strip()
    if len(note) > MAX_NOTE_CHARS:
        raise ReviewError(f"note is {len(note)} characters; the limit is {MAX_NOTE_CHARS}.")
    bad = next((ch for ch in note if not ch.isprintable() and ch not in "\n\t"), None)
    if bad is not None:
        raise ReviewError(f"note holds a control character (U+{ord(bad):04X}); remove it.")
    return note or None


def reading_seconds(path, session_name: str, reader: str, sha256: str, phase: str) -> float:
    """Seconds since `reader` was first shown this case in this phase (recorded now if never):
    the reading time, kept in the database so a reload or a restart does not reset it."""
    from datetime import datetime

    with db.connect(path) as con:
        session = get_session(con, session_name)
        con.execute(
            "INSERT OR IGNORE INTO shown (session_id, sha256, reader, phase, at) "
            "VALUES (?, ?, ?, ?, ?)",
            (session.id, sha256, reader, phase, db.now()),
        )
        at = con.execute(
            "SELECT at FROM shown WHERE session_id = ? AND sha256 = ? AND reader = ? AND phase = ?",
            (session.id, sha256, reader, phase),
        ).fetchone()[0]
    elapsed = (datetime.fromisoformat(db.now()) - datetime.fromisoformat(at)).total_seconds()
    return round(min(max(elapsed, 0.0), 86399.0), 1)


def session_reads(con, session_id: int, reader: str | None = None) -> list[Read]:
    """All reads of a session (or one reader), in the order they were made."""
    sql = (
        "SELECT sha256, reader, phase, verdict, confidence, note, seconds, source, created_at "
        "FROM reads WHERE session_id = ?"
    )
    args: tuple = (session_id,)
    if reader is not None:
        sql, args = sql + " AND reader = ?", (session_id, reader)
    return [Read(**dict(r)) for r in con.execute(sql + " ORDER BY id", args)]


def readers(con, session_id: int) -> list[str]:
    """Reader pseudonyms of a session, in joining order."""
    rows = con.execute(
        "SELECT reader FROM readers WHERE session_id = ? ORDER BY joined_at, reader", (session_id,)
    )
    return [r[0] for r in rows]


def reads_by_case(reads: list[Read]) -> dict[str, dict[str, Read]]:
    """{sha256: {phase: Read}} for one reader's reads."""
    out: dict[str, dict[str, Read]] = {}
    for r in reads:
        out.setdefault(r.sha256, {})[r.phase] = r
    return out


def next_position(cases: list[Case], mine: dict[str, dict[str, Read]]) -> int | None:
    """Where a reader resumes: the first case (1-based) without both reads; None when done."""
    for c in cases:
        if len(mine.get(c.sha256, {})) < len(PHASES):
            return c.position
    return None


def parse_rows(text: str, where: str = "reads CSV") -> list[dict]:
    """CSV text -> one dict per row (the columns, plus `line`: its line in the file).

    Raises ReviewError (one line) for a missing column, no rows, or a row the csv module
    cannot read (a field over 131,072 characters, a NUL byte, a torn quote)."""
    rows = csv.DictReader(io.StringIO(text, newline=""))
    try:
        missing = [c for c in CSV_COLUMNS if c not in (rows.fieldnames or [])]
        if missing:
            raise ReviewError(f"{where}: missing column(s) {', '.join(missing)}.")
        out = [{**row, "line": n} for n, row in enumerate(rows, start=2)]
    except csv.Error as exc:
        line = rows.line_num + 1  # the row being read when it failed
        raise ReviewError(f"{where} line {line}: not readable as CSV ({exc}).") from None
    if not out:
        raise ReviewError(f"{where}: no reads in the file.")
    return out


def read_csv_text(csv_path) -> str:
    """A CSV file's text (UTF-8, BOM allowed). Only a regular file up to 50 MB is opened: a
    FIFO, a device or a folder is refused without blocking (`safe_files`)."""
    from xray_core.io.safe_files import FileError, read_text

    try:
        return read_text(csv_path, MAX_CSV_BYTES, "reads CSV")
    except FileError as exc:
        raise ReviewError(str(exc)) from None


def _resolve(row: dict, cases: list[Case], session: Session, names: dict[str, str]) -> tuple:
    """(reader, case, values) of one CSV row; ReviewError naming the line."""
    reader = check_reader(row["reader"])
    key = (row["case"] or "").strip()
    case = find_case(cases, names.get(key, key), session.keep_names or key in names)
    values = (*check_read((row["phase"] or "").strip().lower(), row["verdict"], row["confidence"]),
              _clean_note(row.get("note")), _check_seconds(row.get("seconds")))  # fmt: skip
    return reader, case, values


def import_reads(path, session_name: str, csv_path, names: dict[str, str] | None = None) -> dict:
    """Import reads made elsewhere (e.g. on paper) from a CSV.

    Columns: reader, case, phase, verdict, confidence[, seconds][, note]. `case` is a SHA-256
    (or 8+ digit prefix), a case number ('7' / 'case-007'), or a file name when the session kept
    names or `names` maps it (relative path -> SHA-256, see `hash_folder`). All or nothing: any
    bad row raises ReviewError naming its line and the database stays unchanged.
    Returns {"n_reads": .., "readers": [..]}.
    """
    rows = parse_rows(read_csv_text(csv_path), str(csv_path))
    names = names or {}
    with db.connect(path) as con, db.transaction(con):
        session = get_session(con, session_name)
        cases = list_cases(con, session.id)
        parsed = []
        for row in rows:
            try:
                parsed.append(_resolve(row, cases, session, names))
            except ReviewError as exc:
                raise ReviewError(f"{csv_path} line {row['line']}: {exc}") from None
        parsed.sort(key=lambda p: PHASES.index(p[2][0]))  # unaided rows before aided ones
        counts: dict[str, int] = {}
        for reader, case, values in parsed:
            _join(con, session, reader)
            try:
                _insert(con, session, reader, case, values, "import")
            except ReviewError as exc:
                raise ReviewError(f"{csv_path}: {exc}") from None
            counts[reader] = counts.get(reader, 0) + 1
        for reader, n in counts.items():
            db.audit(con, "imported", session.id, reader, n_reads=n)
    return {"n_reads": len(parsed), "readers": sorted(counts)}


def hash_folder(root) -> dict[str, str]:
    """{relative path: SHA-256} of every file under a folder, plus each base name that occurs
    once, to match CSV file names to cases by content."""
    import hashlib

    root = Path(root)
    if not root.is_dir():
        raise ReviewError(f"{root}: no such folder.")
    names = {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }
    bases: dict[str, list[str]] = {}
    for rel, sha in names.items():
        bases.setdefault(Path(rel).name, []).append(sha)
    return {**{b: s[0] for b, s in bases.items() if len(s) == 1}, **names}
