//! Disclosure control of published statistics (SPEC C8, §8): counts of fewer than the
//! threshold persons are suppressed ("<3"), and further counts are hidden so that no
//! suppressed count can be worked out from the totals it is published with. Pure.
//! See `README.md` beside this file for the algorithm.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
// ---------------------------------------------------------------------------------------
// Disclosure control (SPEC C8, §8)
// ---------------------------------------------------------------------------------------

/// The threshold of SPEC C8: counts of 1 or 2 persons are not shown.
pub const DEFAULT_THRESHOLD: i64 = 3;

/// One published count after disclosure control.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    /// The exact count (zeros are always shown: a zero describes no person).
    Shown(i64),
    /// 1 ≤ count < threshold: rendered "<3" for the default threshold.
    Small,
    /// A count ≥ threshold hidden so that no small count can be worked out from the
    /// totals. It is not small, so it must never be rendered as "<3".
    Hidden,
}

impl Cell {
    pub fn shown(self) -> Option<i64> {
        match self {
            Cell::Shown(v) => Some(v),
            Cell::Small | Cell::Hidden => None,
        }
    }

    pub fn is_suppressed(self) -> bool {
        self.shown().is_none()
    }
}

/// A table of counts with its row, column and grand totals, ready to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtectedTable {
    pub cells: Vec<Vec<Cell>>,
    pub row_totals: Vec<Cell>,
    pub col_totals: Vec<Cell>,
    pub grand_total: Cell,
    /// True when every suppressed cell must be rendered with one and the same marker
    /// that says nothing about size: here "<3" itself would give a count away (see the
    /// README). False (the usual case): `Small` as "<3", `Hidden` as its own marker.
    pub uniform_marker: bool,
}

/// A single breakdown (e.g. by gender) with its total, ready to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtectedVector {
    pub cells: Vec<Cell>,
    pub total: Cell,
    /// As `ProtectedTable::uniform_marker`.
    pub uniform_marker: bool,
}

/// Protects a table published with its row totals, column totals and grand total.
/// Rows shorter than the longest row are read as ending in zeros. Counts are ≥ 0.
pub fn protect_table(rows: &[Vec<i64>], threshold: i64) -> ProtectedTable {
    let (nr, nc) = (rows.len(), rows.iter().map(Vec::len).max().unwrap_or(0));
    let value = |i: usize, j: usize| rows[i].get(j).copied().unwrap_or(0);
    let mut lines = Lines::new(nr + 1, nc + 1, threshold);
    for i in 0..nr {
        for j in 0..nc {
            lines.push(i, j, value(i, j), false);
        }
    }
    for i in 0..nr {
        lines.push(i, nc, (0..nc).map(|j| value(i, j)).sum(), true);
    }
    for j in 0..nc {
        lines.push(nr, j, (0..nr).map(|i| value(i, j)).sum(), true);
    }
    lines.push(nr, nc, rows.iter().flatten().sum(), false);
    let uniform_marker = lines.protect();
    let mut out = lines.cells().into_iter();
    let mut take = |n: usize| out.by_ref().take(n).collect::<Vec<_>>();
    let cells = (0..nr).map(|_| take(nc)).collect();
    let (row_totals, col_totals) = (take(nr), take(nc));
    ProtectedTable {
        cells,
        row_totals,
        col_totals,
        grand_total: take(1).pop().unwrap_or(Cell::Shown(0)),
        uniform_marker,
    }
}

/// Protects one breakdown published with its total.
pub fn protect_vector(values: &[i64], threshold: i64) -> ProtectedVector {
    // One line: every count and the total meet in the same row and column node.
    let mut lines = Lines::new(1, 1, threshold);
    for v in values {
        lines.push(0, 0, *v, false);
    }
    lines.push(0, 0, values.iter().sum(), true);
    let uniform_marker = lines.protect();
    let mut cells = lines.cells();
    let total = cells.pop().unwrap_or(Cell::Shown(0));
    ProtectedVector {
        cells,
        total,
        uniform_marker,
    }
}

/// A breakdown whose total is itself one part of a second sum, e.g. new cases by venue,
/// where new cases plus carried-over cases are the active cases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtectedNested {
    pub parts: Vec<Cell>,
    /// The sum of `parts`.
    pub subtotal: Cell,
    /// The other summand.
    pub other: Cell,
    /// `subtotal + other`.
    pub total: Cell,
    /// As `ProtectedTable::uniform_marker`, for all of them.
    pub uniform_marker: bool,
}

/// Protects `parts`, their sum, `other` and `sum + other` together, so that no small
/// count can be worked out from either equation or from both at once.
///
/// The two equations are two line nodes: V (parts − subtotal = 0, a row node) and A
/// (−subtotal − other + total = 0, a column node); the subtotal is the entry between
/// them. An entry that lies on one equation only is joined to a helper node (a column
/// node for the parts, a row node for `other` and `total`), and the two helper nodes are
/// joined by a free unknown, so together they act as one node without an equation. Every
/// cycle then balances V and A, so every move it finds keeps both sums true.
pub fn protect_nested(parts: &[i64], other: i64, threshold: i64) -> ProtectedNested {
    let subtotal: i64 = parts.iter().sum();
    // Rows: 0 = V, 1 = helper. Columns: 0 = A, 1 = helper.
    let mut lines = Lines::new(2, 2, threshold);
    for p in parts {
        lines.push(0, 1, *p, false);
    }
    lines.push(0, 0, subtotal, true);
    lines.push(1, 0, other, true);
    lines.push(1, 0, subtotal + other, false);
    lines.push_free(1, 1);
    let uniform_marker = lines.protect();
    let mut cells = lines.cells();
    cells.pop(); // the free unknown
    let total = cells.pop().unwrap_or(Cell::Shown(0));
    let other = cells.pop().unwrap_or(Cell::Shown(0));
    let subtotal = cells.pop().unwrap_or(Cell::Shown(0));
    ProtectedNested {
        parts: cells,
        subtotal,
        other,
        total,
        uniform_marker,
    }
}

/// What a reader of the published table knows about a suppressed count besides the
/// visible counts and totals. Both readers know that zeros are always shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reader {
    /// Reads the markers: `Small` is in 1..threshold−1, `Hidden` is ≥ threshold.
    Labels,
    /// Sees one marker for every suppressed count: it is ≥ 1.
    Uniform,
}

/// A published figure: a count or a total, in the row and column it is summed along.
#[derive(Debug, Clone)]
struct Entry {
    row: usize,
    col: usize,
    value: i64,
    /// Totals enter their line with a minus sign: with y = −total every line sums to 0.
    negated: bool,
    state: Cell,
    /// Not a published figure: a free unknown joining two helper nodes (see
    /// `protect_nested`). Always suppressed, never itself protected.
    free: bool,
}

/// The equations of a published table: every entry lies on one row line and one column
/// line and each line's signed entries sum to zero (a table with its totals is an
/// (R+1)×(C+1) grid; a vector is one line). The suppressed entries are the edges of a
/// bipartite graph between line nodes, and a suppressed value can change in a
/// consistent table exactly when it lies on a cycle of suppressed entries along which
/// one unit can be moved without leaving what the reader knows of each value.
struct Lines {
    rows: usize,
    cols: usize,
    threshold: i64,
    entries: Vec<Entry>,
}

impl Lines {
    fn new(rows: usize, cols: usize, threshold: i64) -> Self {
        Lines {
            rows,
            cols,
            threshold,
            entries: Vec::new(),
        }
    }

    fn push(&mut self, row: usize, col: usize, value: i64, negated: bool) {
        let state = Cell::Shown(value);
        self.entries.push(Entry {
            row,
            col,
            value,
            negated,
            state,
            free: false,
        });
    }

    /// A free unknown between two nodes that carry no equation of their own.
    fn push_free(&mut self, row: usize, col: usize) {
        self.entries.push(Entry {
            row,
            col,
            value: i64::MAX / 4,
            negated: false,
            state: Cell::Hidden,
            free: true,
        });
    }

    fn cells(&self) -> Vec<Cell> {
        self.entries.iter().map(|e| e.state).collect()
    }

    /// Primary suppression, then complementary suppression good against a reader of the
    /// labels; only if that is impossible, a uniform marker and protection against a
    /// reader who knows nothing but "≥ 1". Returns whether the uniform marker is needed.
    fn protect(&mut self) -> bool {
        for e in &mut self.entries {
            if (1..self.threshold).contains(&e.value) {
                e.state = Cell::Small;
            }
        }
        let primary = self.cells();
        if self.complete(Reader::Labels) {
            return false;
        }
        for (e, state) in self.entries.iter_mut().zip(primary) {
            e.state = state;
        }
        if !self.complete(Reader::Uniform) {
            // Unreachable: with every non-zero entry hidden, each lies on a 4-cycle with
            // its totals that can always move up by one. Kept so that a bug over-hides.
            for e in &mut self.entries {
                if e.value > 0 && !e.free && e.state == Cell::Shown(e.value) {
                    e.state = Cell::Hidden;
                }
            }
        }
        true
    }

    /// Hides further entries until every suppressed entry can take two values for
    /// `reader`. Adding a hidden entry only widens what is consistent, so an entry once
    /// safe stays safe and one pass suffices; entries hidden on a cycle are safe by it.
    /// False when some entry cannot be protected against `reader` by any pattern.
    fn complete(&mut self, reader: Reader) -> bool {
        for k in 0..self.entries.len() {
            if !self.entries[k].state.is_suppressed()
                || self.entries[k].free
                || self.cheapest_cycle(k, reader, false).is_some()
            {
                continue;
            }
            let Some(path) = self.cheapest_cycle(k, reader, true) else {
                return false;
            };
            for p in path {
                self.entries[p].state = Cell::Hidden;
            }
        }
        true
    }

    /// The range `reader` knows a suppressed (or to-be-hidden) non-zero entry to lie in.
    fn known_range(&self, value: i64, reader: Reader) -> (i64, i64) {
        match reader {
            Reader::Labels if value < self.threshold => (1, self.threshold - 1),
            Reader::Labels => (self.threshold, i64::MAX),
            Reader::Uniform => (1, i64::MAX),
        }
    }

    /// Whether the signed value y of entry `k` can go (up, down) by one.
    fn moves(&self, k: usize, reader: Reader) -> (bool, bool) {
        let e = &self.entries[k];
        let (lo, hi) = self.known_range(e.value, reader);
        let (x_up, x_down) = (e.value < hi, e.value > lo);
        if e.negated {
            (x_down, x_up)
        } else {
            (x_up, x_down)
        }
    }

    /// The visible entries to hide (cheapest first by total count, then by number) so
    /// that entry `k` lies on a movable cycle; `Some(empty)` when it already does.
    /// Without `allow_new`, only existing suppressions are used.
    fn cheapest_cycle(&self, k: usize, reader: Reader, allow_new: bool) -> Option<Vec<usize>> {
        let (up, down) = self.moves(k, reader);
        let (row, col) = (self.entries[k].row, self.rows + self.entries[k].col);
        // Moving y up on k is the arc row → col; the cycle closes with a path col → row.
        let via_up = up
            .then(|| self.path(col, row, k, reader, allow_new))
            .flatten();
        let via_down = down
            .then(|| self.path(row, col, k, reader, allow_new))
            .flatten();
        match (via_up, via_down) {
            (Some(a), Some(b)) => Some(if b.0 < a.0 { b.1 } else { a.1 }),
            (a, b) => a.or(b).map(|(_, p)| p),
        }
    }

    /// Dijkstra over line nodes; arcs are suppressed entries (cost 0) and, with
    /// `allow_new`, visible non-zero entries (cost: their count, then one per entry).
    #[allow(clippy::type_complexity)]
    fn path(
        &self,
        from: usize,
        to: usize,
        skip: usize,
        reader: Reader,
        allow_new: bool,
    ) -> Option<((i64, usize), Vec<usize>)> {
        let nodes = self.rows + self.cols;
        let mut arcs: Vec<Vec<(usize, usize, (i64, usize))>> = vec![Vec::new(); nodes];
        for (k, e) in self.entries.iter().enumerate() {
            let cost = match e.state {
                _ if k == skip || e.value <= 0 => continue,
                Cell::Shown(v) if allow_new => (v, 1),
                Cell::Shown(_) => continue,
                Cell::Small | Cell::Hidden => (0, 0),
            };
            let (up, down) = self.moves(k, reader);
            let (r, c) = (e.row, self.rows + e.col);
            if up {
                arcs[r].push((c, k, cost));
            }
            if down {
                arcs[c].push((r, k, cost));
            }
        }
        let mut best: Vec<Option<(i64, usize)>> = vec![None; nodes];
        let mut via: Vec<Option<(usize, usize)>> = vec![None; nodes];
        let mut queue = BinaryHeap::from([Reverse(((0, 0), from))]);
        best[from] = Some((0, 0));
        while let Some(Reverse((cost, node))) = queue.pop() {
            if best[node].is_some_and(|b| b < cost) {
                continue;
            }
            if node == to {
                let mut entries = Vec::new();
                let mut at = to;
                while let Some((prev, k)) = via[at] {
                    if matches!(self.entries[k].state, Cell::Shown(_)) {
                        entries.push(k);
                    }
                    at = prev;
                }
                return Some((cost, entries));
            }
            for &(next, k, (v, n)) in &arcs[node] {
                let c = (cost.0 + v, cost.1 + n);
                if best[next].is_none_or(|b| c < b) {
                    best[next] = Some(c);
                    via[next] = Some((node, k));
                    queue.push(Reverse((c, next)));
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    // ---------------------------------------------------------------------------------
    // Disclosure control
    // ---------------------------------------------------------------------------------

    use proptest::prelude::*;

    const S: Cell = Cell::Small;
    const H: Cell = Cell::Hidden;
    fn v(n: i64) -> Cell {
        Cell::Shown(n)
    }

    #[test]
    fn a_table_without_small_counts_is_published_as_it_is() {
        let t = protect_table(&[vec![3, 0, 7], vec![4, 9, 0]], 3);
        assert_eq!(t.cells, [vec![v(3), v(0), v(7)], vec![v(4), v(9), v(0)]]);
        assert_eq!(
            (t.row_totals, t.col_totals),
            (vec![v(10), v(13)], vec![v(7), v(9), v(7)])
        );
        assert_eq!((t.grand_total, t.uniform_marker), (v(23), false));
    }

    #[test]
    fn a_small_count_is_hidden_with_the_cheapest_rectangle_around_it() {
        // The 1 alone in its row and column could be read from either total. The
        // cheapest cycle through it is the rectangle 1–5 / 4–6 (cost 5 + 4 + 6 = 15;
        // 1–7 / 4–8 would cost 19, going through totals costs more still). Moving one
        // unit round it (2, 4 / 3, 7) stays within "<3" and "≥ 3": the 1 is not found.
        let t = protect_table(&[vec![1, 5, 7], vec![4, 6, 8]], 3);
        assert_eq!(t.cells, [vec![S, H, v(7)], vec![H, H, v(8)]]);
        assert_eq!(
            (t.row_totals, t.col_totals),
            (vec![v(13), v(18)], vec![v(5), v(11), v(15)])
        );
        assert!(!t.uniform_marker);
    }

    #[test]
    fn zeros_stay_shown_and_a_small_total_is_itself_small() {
        // Row 0 sums to 2: the total is "<3" too, and the 2 is then safe in its row;
        // its column still needs a partner (the 3 below it, the row of 9 with it).
        let t = protect_table(&[vec![2, 0], vec![3, 9]], 3);
        assert_eq!(t.cells[0][1], v(0));
        assert_eq!(t.row_totals[0], S);
        assert_eq!(t.cells[0][0], S);
        assert!(t.cells[1][0].is_suppressed());
    }

    #[test]
    fn a_breakdown_hides_the_next_smallest_count_only_when_needed() {
        // 2 and 1 hide each other: they sum to 3, which 1 + 2 or 2 + 1 both give.
        let p = protect_vector(&[120, 50, 2, 1], 3);
        assert_eq!((p.cells, p.total), (vec![v(120), v(50), S, S], v(173)));
        // A single 2 would be 173 − 170 − 1…: the next smallest, 50, goes too.
        let p = protect_vector(&[120, 50, 2, 0], 3);
        assert_eq!((p.cells, p.total), (vec![v(120), H, S, v(0)], v(172)));
        // 1 + 1 = 2 leaves no choice ("<3" is at least 1): the next smallest goes too.
        let p = protect_vector(&[1, 1, 100, 200], 3);
        assert_eq!(p.cells, [S, S, H, v(200)]);
        // 2 + 2 = 4 likewise ("<3" is at most 2).
        let p = protect_vector(&[2, 2, 100, 200], 3);
        assert_eq!(p.cells, [S, S, H, v(200)]);
        assert!(!p.uniform_marker);
    }

    #[test]
    fn when_the_labels_alone_give_a_count_away_the_marker_must_be_uniform() {
        // Total "<3" of two "<3" counts: both must be 1. No hiding helps; with one
        // marker that says nothing about size, 1 + 1 = 2 is as likely as 5 + 1 = 6.
        let p = protect_vector(&[1, 1], 3);
        assert_eq!((p.cells, p.total, p.uniform_marker), (vec![S, S], S, true));
        // With threshold 2, "<2" itself says 1.
        assert!(protect_vector(&[1, 5, 7], 2).uniform_marker);
        assert!(!protect_vector(&[4, 5, 7], 2).uniform_marker);
    }

    #[test]
    fn the_empty_table_is_a_zero() {
        let t = protect_table(&[], 3);
        assert_eq!((t.cells.len(), t.grand_total), (0, v(0)));
        assert_eq!(protect_vector(&[], 3).total, v(0));
    }

    /// The published table as a grid of (R+1)×(C+1) entries with totals: the truth and
    /// what is suppressed. Row `nr` holds the column totals, column `nc` the row totals.
    struct Published {
        nr: usize,
        nc: usize,
        truth: Vec<Vec<i64>>,
        cell: Vec<Vec<Cell>>,
    }

    impl Published {
        fn new(rows: &[Vec<i64>], t: &ProtectedTable) -> Self {
            let (nr, nc) = (rows.len(), rows[0].len());
            let mut truth = vec![vec![0; nc + 1]; nr + 1];
            let mut cell = vec![vec![Cell::Shown(0); nc + 1]; nr + 1];
            for i in 0..nr {
                for j in 0..nc {
                    truth[i][j] = rows[i][j];
                    truth[i][nc] += rows[i][j];
                    truth[nr][j] += rows[i][j];
                    truth[nr][nc] += rows[i][j];
                    cell[i][j] = t.cells[i][j];
                }
                cell[i][nc] = t.row_totals[i];
            }
            cell[nr][..nc].copy_from_slice(&t.col_totals[..nc]);
            cell[nr][nc] = t.grand_total;
            Published {
                nr,
                nc,
                truth,
                cell,
            }
        }

        fn lines(&self) -> impl Iterator<Item = Vec<(usize, usize)>> + '_ {
            let rows = (0..=self.nr).map(|i| (0..=self.nc).map(|j| (i, j)).collect());
            let cols = (0..=self.nc).map(|j| (0..=self.nr).map(|i| (i, j)).collect());
            rows.chain(cols)
        }

        fn suppressed(&self) -> Vec<(usize, usize)> {
            let all = (0..=self.nr).flat_map(|i| (0..=self.nc).map(move |j| (i, j)));
            all.filter(|&(i, j)| self.cell[i][j].is_suppressed())
                .collect()
        }
    }

    /// What a reader knows of entry (i, j): its exact value or a range. `cap` stands in
    /// for "no upper bound" in the brute force.
    fn known(p: &Published, i: usize, j: usize, t: i64, labels: bool, cap: i64) -> (i64, i64) {
        match p.cell[i][j] {
            Cell::Shown(x) => (x, x),
            Cell::Small if labels => (1, t - 1),
            Cell::Hidden if labels => (t, cap),
            Cell::Small | Cell::Hidden => (1, cap),
        }
    }

    /// Brute force, knowing nothing of cycles: is there a table of non-negative counts
    /// consistent with everything published (visible counts and totals, the reader's
    /// ranges of suppressed ones) in which entry `probe` differs from the truth?
    fn can_differ(p: &Published, t: i64, labels: bool, probe: (usize, usize)) -> bool {
        let cap = p.truth[p.nr][p.nc] + t + 2;
        let range = (0..=p.nr)
            .map(|i| (0..=p.nc).map(|j| known(p, i, j, t, labels, cap)).collect())
            .collect();
        let (lo, hi) = known(p, probe.0, probe.1, t, labels, cap);
        let cur = vec![vec![0; p.nc]; p.nr];
        // A range of one value is known without any search.
        lo < hi
            && Search {
                p,
                range,
                probe,
                cur,
            }
            .fill(0)
    }

    /// Depth-first enumeration of the counts, row by row, of every table within the
    /// known ranges; a partial table is dropped as soon as a row or column can no longer
    /// reach its (known range of) total.
    struct Search<'a> {
        p: &'a Published,
        range: Vec<Vec<(i64, i64)>>,
        probe: (usize, usize),
        cur: Vec<Vec<i64>>,
    }

    impl Search<'_> {
        fn fill(&mut self, pos: usize) -> bool {
            let (nr, nc) = (self.p.nr, self.p.nc);
            if pos == nr * nc {
                return self.consistent_and_different();
            }
            let (i, j) = (pos / nc, pos % nc);
            let row_done: i64 = self.cur[i][..j].iter().sum();
            let col_done: i64 = self.cur[..i].iter().map(|r| r[j]).sum();
            let row_rest = (j + 1..nc).map(|k| self.range[i][k]);
            let col_rest = (i + 1..nr).map(|k| self.range[k][j]);
            let sum = |it: &mut dyn Iterator<Item = (i64, i64)>| {
                it.fold((0, 0), |(a, b), (lo, hi)| (a + lo, b + hi))
            };
            let (row_min, row_max) = sum(&mut row_rest.into_iter());
            let (col_min, col_max) = sum(&mut col_rest.into_iter());
            let ((rlo, rhi), (clo, chi)) = (self.range[i][nc], self.range[nr][j]);
            let (lo, hi) = self.range[i][j];
            let lo = lo
                .max(rlo - row_done - row_max)
                .max(clo - col_done - col_max);
            let hi = hi
                .min(rhi - row_done - row_min)
                .min(chi - col_done - col_min);
            let truth = self.p.truth[i][j];
            // Nearest the truth first: a second consistent table, if any, is near.
            let mut values: Vec<i64> = (lo..=hi).collect();
            values.sort_by_key(|x| ((x - truth).abs(), *x));
            for x in values {
                if (i, j) == self.probe && x == truth {
                    continue;
                }
                self.cur[i][j] = x;
                if self.fill(pos + 1) {
                    return true;
                }
            }
            false
        }

        fn consistent_and_different(&self) -> bool {
            let (nr, nc, cur) = (self.p.nr, self.p.nc, &self.cur);
            let row = |i: usize| cur[i].iter().sum::<i64>();
            let col = |j: usize| cur.iter().map(|r| r[j]).sum::<i64>();
            let value = |i: usize, j: usize| match (i == nr, j == nc) {
                (false, false) => cur[i][j],
                (false, true) => row(i),
                (true, false) => col(j),
                (true, true) => cur.iter().flatten().sum(),
            };
            let fits = |i: usize, j: usize| {
                let (lo, hi) = self.range[i][j];
                (lo..=hi).contains(&value(i, j))
            };
            let totals_fit = (0..=nr).all(|i| fits(i, nc)) && (0..nc).all(|j| fits(nr, j));
            let (pi, pj) = self.probe;
            totals_fit && value(pi, pj) != self.p.truth[pi][pj]
        }
    }

    /// Checks a protected table against an adversary who enumerates every consistent
    /// table: each suppressed entry must be able to take a second value.
    fn assert_nothing_recoverable(rows: &[Vec<i64>], t: i64) -> Result<(), TestCaseError> {
        let table = protect_table(rows, t);
        let p = Published::new(rows, &table);
        let labels = !table.uniform_marker;
        for probe in p.suppressed() {
            prop_assert!(
                can_differ(&p, t, labels, probe),
                "{probe:?} of {rows:?} (t = {t}, labels = {labels}) is recoverable: {table:?}"
            );
        }
        if table.uniform_marker {
            // Only when no pattern helps: even with every non-zero entry hidden, a
            // reader of the labels pins some small count.
            let mut all = Published::new(rows, &table);
            for (i, row) in all.cell.iter_mut().enumerate() {
                for (j, c) in row.iter_mut().enumerate() {
                    let x = all.truth[i][j];
                    *c = if x == 0 {
                        v(0)
                    } else if x < t {
                        S
                    } else {
                        H
                    };
                }
            }
            let mut small = all.suppressed();
            small.retain(|&(i, j)| all.cell[i][j] == S);
            let pinned = small.into_iter().any(|e| !can_differ(&all, t, true, e));
            prop_assert!(
                pinned,
                "{rows:?} (t = {t}) got a uniform marker it did not need"
            );
        }
        Ok(())
    }

    #[test]
    fn the_adversary_sees_through_a_pattern_that_only_obeys_the_line_rule() {
        // Hide, in a 3×3 table of fives with its totals, the rectangle of rows 0–1 ×
        // columns 0–1, the rectangle of row 2 and the totals row × column 2 and the
        // totals column, and the cell (1, 2) joining them. Every row and column has 0 or
        // ≥ 2 hidden entries, yet (1, 2) is fixed: summing rows 0 and 1 of the table
        // cancels the first rectangle and leaves (1, 2) alone with known numbers. Both
        // checks used below must see it, or they would prove nothing.
        let rows = vec![vec![5; 3]; 3];
        let hidden = [
            (0, 0),
            (0, 1),
            (1, 0),
            (1, 1),
            (2, 2),
            (2, 3),
            (3, 2),
            (3, 3),
            (1, 2),
        ];
        let mut p = Published::new(&rows, &protect_table(&rows, 3));
        for (i, j) in hidden {
            p.cell[i][j] = H;
        }
        for line in p.lines() {
            let n = line
                .iter()
                .filter(|&&(i, j)| p.cell[i][j].is_suppressed())
                .count();
            assert_ne!(n, 1);
        }
        assert!(is_bridge(&p, (1, 2)) && !can_differ(&p, 3, false, (1, 2)));
        assert!(!is_bridge(&p, (0, 0)) && can_differ(&p, 3, false, (0, 0)));
        // And a lone small count with only its own suppression is read off its row.
        let rows = vec![vec![1, 5], vec![4, 6]];
        let mut p = Published::new(&rows, &protect_table(&rows, 3));
        p.cell = vec![
            vec![S, v(5), v(6)],
            vec![v(4), v(6), v(10)],
            vec![v(5), v(11), v(16)],
        ];
        assert!(!can_differ(&p, 3, true, (0, 0)));
    }

    /// Cycle test by union–find, independent of the search in `Lines`: an entry is fixed
    /// by the row and column equations together exactly when removing it disconnects
    /// its row from its column among the suppressed entries (it is a bridge).
    fn is_bridge(p: &Published, e: (usize, usize)) -> bool {
        let n = p.nr + 1 + p.nc + 1;
        let mut parent: Vec<usize> = (0..n).collect();
        fn find(parent: &mut [usize], mut x: usize) -> usize {
            while parent[x] != x {
                parent[x] = parent[parent[x]];
                x = parent[x];
            }
            x
        }
        for (i, j) in p.suppressed().into_iter().filter(|&f| f != e) {
            let (a, b) = (find(&mut parent, i), find(&mut parent, p.nr + 1 + j));
            parent[a] = b;
        }
        find(&mut parent, e.0) != find(&mut parent, p.nr + 1 + e.1)
    }

    fn table(max_dim: usize, max_count: i64) -> impl Strategy<Value = Vec<Vec<i64>>> {
        (1..=max_dim, 1..=max_dim).prop_flat_map(move |(r, c)| {
            prop::collection::vec(prop::collection::vec(0..=max_count, c), r)
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn an_adversary_enumerating_small_tables_recovers_nothing(rows in table(3, 8), t in 2i64..=5) {
            assert_nothing_recoverable(&rows, t)?;
        }

        #[test]
        fn no_small_count_is_shown_or_recoverable_from_one_line(rows in table(8, 20), t in 2i64..=5) {
            let table = protect_table(&rows, t);
            let p = Published::new(&rows, &table);
            let any_small = (0..=p.nr).any(|i| (0..=p.nc).any(|j| (1..t).contains(&p.truth[i][j])));
            for (i, row) in p.cell.iter().enumerate() {
                for (j, c) in row.iter().enumerate() {
                    let x = p.truth[i][j];
                    match *c {
                        // (a) nothing visible is small, and what is shown is the truth.
                        Cell::Shown(shown) => prop_assert!(shown == x && !(1..t).contains(&x)),
                        Cell::Small => prop_assert!((1..t).contains(&x)),
                        // (c) a count ≥ t is hidden only for the sake of a small one.
                        Cell::Hidden => prop_assert!(x >= t && any_small),
                    }
                }
            }
            // (b) every line (row or column, its total included) with a suppressed
            // entry has at least two.
            for line in p.lines() {
                let n = line.iter().filter(|&&(i, j)| p.cell[i][j].is_suppressed()).count();
                prop_assert!(n != 1, "{line:?} of {rows:?} (t = {t}): {table:?}");
            }
            // (b+) and no suppressed entry is fixed by rows and columns together.
            for e in p.suppressed() {
                prop_assert!(!is_bridge(&p, e), "{e:?} of {rows:?} (t = {t}) is a bridge");
            }
        }

        #[test]
        fn an_adversary_enumerating_breakdowns_recovers_nothing(
            values in prop::collection::vec(0i64..=12, 1..=6),
            t in 2i64..=5,
        ) {
            let p = protect_vector(&values, t);
            let mut all: Vec<(i64, Cell)> = values.iter().copied().zip(p.cells.iter().copied()).collect();
            all.push((values.iter().sum(), p.total));
            let cap = all.last().map_or(0, |x| x.0) + t + 2;
            let range = |c: Cell| match c {
                Cell::Shown(x) => (x, x),
                Cell::Small if !p.uniform_marker => (1, t - 1),
                Cell::Hidden if !p.uniform_marker => (t, cap),
                _ => (1, cap),
            };
            // Every assignment of the suppressed entries within their ranges whose
            // counts sum to the total is a consistent breakdown.
            let ranges: Vec<(i64, i64)> = all.iter().map(|&(_, c)| range(c)).collect();
            let mut seen: Vec<HashSet<i64>> = vec![HashSet::new(); all.len()];
            let mut x: Vec<i64> = ranges.iter().map(|r| r.0).collect();
            loop {
                let n = x.len() - 1;
                if x[..n].iter().sum::<i64>() == x[n] {
                    for (s, &xi) in seen.iter_mut().zip(&x) {
                        s.insert(xi);
                    }
                }
                // Next assignment, odometer style.
                let Some(k) = (0..x.len()).find(|&k| x[k] < ranges[k].1) else { break };
                x[k] += 1;
                for (xi, r) in x.iter_mut().zip(&ranges).take(k) {
                    *xi = r.0;
                }
            }
            for (k, &(truth, c)) in all.iter().enumerate() {
                prop_assert!(seen[k].contains(&truth));
                prop_assert!(!c.is_suppressed() || seen[k].len() >= 2,
                    "entry {k} of {values:?} (t = {t}) is recoverable: {p:?}");
            }
        }
    }

    #[test]
    fn every_2x2_table_of_counts_up_to_4_is_safe_against_enumeration() {
        for t in 2..=4 {
            for n in 0..5i64.pow(4) {
                let c = |k: u32| n / 5i64.pow(k) % 5;
                assert_nothing_recoverable(&[vec![c(0), c(1)], vec![c(2), c(3)]], t).unwrap();
            }
        }
    }

    #[test]
    fn every_1x3_and_3x1_table_of_counts_up_to_5_is_safe_against_enumeration() {
        for t in 2..=5 {
            for n in 0..6i64.pow(3) {
                let c = |k: u32| n / 6i64.pow(k) % 6;
                assert_nothing_recoverable(&[vec![c(0), c(1), c(2)]], t).unwrap();
                assert_nothing_recoverable(&[vec![c(0)], vec![c(1)], vec![c(2)]], t).unwrap();
            }
        }
    }
}
