//! `EXPLAIN`: a program as rows, and the jump-target walk the compiler's labels use.

use concur_btree::Value;

use super::insn::{Addr, Insn};
use super::Program;

/// Calls `f` on every jump target of `insn`, replacing it with the result.
pub fn map_targets(insn: &mut Insn, f: &mut dyn FnMut(Addr) -> Addr) {
    match insn {
        Insn::Goto { target }
        | Insn::Next { target, .. }
        | Insn::Prev { target, .. }
        | Insn::RowidCompare { target, .. }
        | Insn::IdxCompare { target, .. }
        | Insn::IfNot { target, .. }
        | Insn::IfNotInt { target, .. }
        | Insn::IfPos { target, .. }
        | Insn::OffsetSkip { target, .. }
        | Insn::DecrJumpZero { target, .. }
        | Insn::IfZero { target, .. }
        | Insn::AggNext { target, .. } => *target = f(*target),
        Insn::Rewind { if_empty, .. }
        | Insn::SeriesRewind { if_empty, .. }
        | Insn::Last { if_empty, .. }
        | Insn::AggRewind { if_empty, .. } => *if_empty = f(*if_empty),
        Insn::SeekRowid { not_found, .. }
        | Insn::SeekRowidRange { not_found, .. }
        | Insn::IdxSeek { not_found, .. } => *not_found = f(*not_found),
        Insn::Distinct { if_seen, .. } => *if_seen = f(*if_seen),
        Insn::UpdateRow { if_ignored, .. } => *if_ignored = f(*if_ignored),
        Insn::InsertRow {
            if_ignored, upsert, ..
        } => {
            *if_ignored = f(*if_ignored);
            for (_, a) in upsert.iter_mut().flat_map(|u| u.clauses.iter_mut()) {
                if let Some(a) = a {
                    *a = f(*a);
                }
            }
        }
        _ => {}
    }
}

/// The opcode name and operands (p1, p2, p3, p4) of an instruction.
fn describe(insn: &Insn) -> (&'static str, i64, i64, i64, String) {
    let a = |x: usize| i64::try_from(x).unwrap_or(-1);
    match insn {
        Insn::Goto { target } => ("Goto", 0, a(*target), 0, String::new()),
        Insn::Halt => ("Halt", 0, 0, 0, String::new()),
        Insn::OpenTable { cursor, root, name } => {
            ("OpenRead", a(*cursor), i64::from(*root), 0, name.clone())
        }
        Insn::OpenIndex {
            cursor, root, name, ..
        } => ("OpenRead", a(*cursor), i64::from(*root), 0, name.clone()),
        Insn::OpenEphemeral { cursor, eph } => {
            ("OpenEphemeral", a(*cursor), a(*eph), 0, String::new())
        }
        Insn::ClearEphemeral { eph } => ("ResetSorter", a(*eph), 0, 0, String::new()),
        Insn::EphInsert { eph, start, count } => {
            ("EphInsert", a(*eph), a(*start), a(*count), String::new())
        }
        Insn::Sort { eph, keys } => ("SorterSort", a(*eph), 0, a(keys.len()), String::new()),
        Insn::KeepLastOfEach { eph } => ("KeepLastOfEach", a(*eph), 0, 0, String::new()),
        Insn::EphRealAffinity { eph, columns } => {
            ("RealAffinity", a(*eph), 0, a(columns.len()), String::new())
        }
        Insn::Rewind { cursor, if_empty } => ("Rewind", a(*cursor), a(*if_empty), 0, String::new()),
        Insn::SeriesRewind {
            cursor, if_empty, ..
        } => (
            "VFilter",
            a(*cursor),
            a(*if_empty),
            0,
            "generate_series".to_string(),
        ),
        Insn::Last { cursor, if_empty } => ("Last", a(*cursor), a(*if_empty), 0, String::new()),
        Insn::Next { cursor, target } => ("Next", a(*cursor), a(*target), 0, String::new()),
        Insn::Prev { cursor, target } => ("Prev", a(*cursor), a(*target), 0, String::new()),
        Insn::SeekRowid {
            cursor,
            key,
            not_found,
        } => (
            "SeekRowid",
            a(*cursor),
            a(*not_found),
            a(*key),
            String::new(),
        ),
        Insn::SeekRowidRange {
            cursor,
            op,
            key,
            not_found,
        } => (
            "SeekRowidRange",
            a(*cursor),
            a(*not_found),
            a(*key),
            format!("{op:?}"),
        ),
        Insn::RowidCompare {
            cursor,
            op,
            key,
            target,
        } => (
            "RowidCompare",
            a(*cursor),
            a(*target),
            a(*key),
            format!("{op:?}"),
        ),
        Insn::IdxSeek {
            cursor,
            op,
            start,
            count,
            not_found,
        } => (
            match op {
                super::SeekOp::Ge => "SeekGE",
                super::SeekOp::Gt => "SeekGT",
                super::SeekOp::Le => "SeekLE",
                super::SeekOp::Lt => "SeekLT",
            },
            a(*cursor),
            a(*not_found),
            a(*start),
            format!("{count}"),
        ),
        Insn::IdxCompare {
            cursor,
            op,
            start,
            count,
            target,
        } => (
            "IdxCompare",
            a(*cursor),
            a(*target),
            a(*start),
            format!("{op:?} {count}"),
        ),
        Insn::IdxRowSeek { index, table } => {
            ("IdxRowid+Seek", a(*index), a(*table), 0, String::new())
        }
        Insn::NullRow { cursor } => ("NullRow", a(*cursor), 0, 0, String::new()),
        Insn::Value { value, dest } => ("Value", 0, a(*dest), 0, format!("{value:?}")),
        Insn::Eval { dest, .. } => ("Eval", 0, a(*dest), 0, String::new()),
        Insn::MoveParam { index, dest } => ("Variable", a(*index), a(*dest), 0, String::new()),
        Insn::IfNot { target, .. } => ("IfNot", 0, a(*target), 0, String::new()),
        Insn::IfNotInt { target, .. } => ("IfNot", 0, a(*target), 0, "integers".to_string()),
        Insn::IfPos { reg, target } => ("IfPos", a(*reg), a(*target), 0, String::new()),
        Insn::Limit { dest, .. } => ("Limit", 0, a(*dest), 0, String::new()),
        Insn::OffsetSkip { reg, target } => ("OffsetSkip", a(*reg), a(*target), 0, String::new()),
        Insn::DecrJumpZero { reg, target } => {
            ("DecrJumpZero", a(*reg), a(*target), 0, String::new())
        }
        Insn::IfZero { reg, target } => ("IfNot", a(*reg), a(*target), 0, String::new()),
        Insn::ResultRow { start, count } => ("ResultRow", a(*start), a(*count), 0, String::new()),
        Insn::Distinct {
            set,
            start,
            count,
            if_seen,
            ..
        } => ("Found", a(*set), a(*if_seen), a(*start), format!("{count}")),
        Insn::ClearSet { set } => ("ClearSet", a(*set), 0, 0, String::new()),
        Insn::AggStep { agg, calls, .. } => ("AggStep", a(*agg), 0, a(calls.len()), String::new()),
        Insn::AggEnsure { agg, .. } => ("AggEnsure", a(*agg), 0, 0, String::new()),
        Insn::AggReset { agg } => ("AggReset", a(*agg), 0, 0, String::new()),
        Insn::AggRewind { agg, if_empty } => ("AggRewind", a(*agg), a(*if_empty), 0, String::new()),
        Insn::AggNext { agg, target } => ("AggNext", a(*agg), a(*target), 0, String::new()),
        Insn::InsertRow {
            target,
            rowid,
            start,
            ..
        } => ("Insert", a(*start), a(*rowid), 0, target.table.name.clone()),
        Insn::UpdateRow {
            target,
            cursor,
            rowid,
            ..
        } => (
            "Update",
            a(*cursor),
            a(*rowid),
            0,
            target.table.name.clone(),
        ),
        Insn::DeleteRow { target, cursor } => {
            ("Delete", a(*cursor), 0, 0, target.table.name.clone())
        }
        Insn::RunSub { sub } => ("Program", a(*sub), 0, 0, String::new()),
        Insn::Compound {
            op, left, right, ..
        } => ("Compound", a(*left), a(*right), 0, format!("{op:?}")),
        Insn::Recursive {
            init, step, result, ..
        } => ("Recursive", a(*init), a(*step), a(*result), String::new()),
        Insn::Noop => ("Noop", 0, 0, 0, String::new()),
    }
}

/// The rows of `EXPLAIN`: addr, opcode, p1, p2, p3, p4, p5, comment (subprograms follow the
/// main program, each introduced by a comment row).
pub fn explain_rows(program: &Program) -> Vec<Vec<Value>> {
    let mut rows = Vec::new();
    let mut push = |addr: usize, insn: &Insn, comment: String| {
        let (opcode, p1, p2, p3, p4) = describe(insn);
        rows.push(vec![
            Value::Integer(i64::try_from(addr).unwrap_or(-1)),
            Value::Text(opcode.to_string().into()),
            Value::Integer(p1),
            Value::Integer(p2),
            Value::Integer(p3),
            Value::Text(p4.into()),
            Value::Integer(0),
            if comment.is_empty() {
                Value::Null
            } else {
                Value::Text(comment.into())
            },
        ]);
    };
    for (addr, insn) in program.code.iter().enumerate() {
        push(addr, insn, String::new());
    }
    for (n, sub) in program.subs.iter().enumerate() {
        for (addr, insn) in sub.code.iter().enumerate() {
            let comment = if addr == 0 {
                format!("subprogram {n}")
            } else {
                String::new()
            };
            push(addr, insn, comment);
        }
    }
    rows
}
