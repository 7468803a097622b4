//! iCalendar (RFC 5545) text for appointments: one `.ics` per appointment and the private
//! calendar feed of a bisidder. Pure: the caller supplies every instant, nothing here reads
//! a clock or does I/O.
//!
//! Why the output looks the way it does:
//! * Times are written as Europe/Copenhagen wall-clock times with `TZID` *and* the file
//!   carries a `VTIMEZONE` for that zone. Google resolves the TZID name itself, Outlook
//!   trusts only the `VTIMEZONE`; with both, each shows the right local time on either side
//!   of a daylight-saving change.
//! * The `VTIMEZONE` encodes the EU rule in force since 1996 (summer time from 01:00 UTC on
//!   the last Sunday of March to 01:00 UTC on the last Sunday of October). A test checks it
//!   against the tz database every year up to 2040.
//! * An instant whose wall-clock time occurs twice (the repeated hour in October) and is
//!   the *second* occurrence cannot be written as a local time — RFC 5545 reads such a
//!   time as the first occurrence — so that one instant is written in UTC instead.
//! * `DTSTAMP` is the appointment's last change, not "now", so the same data always renders
//!   the same bytes (clients and tests can compare feeds).

use jiff::{civil::DateTime, tz::TimeZone, Timestamp};
use std::fmt::Write as _;

const TZID: &str = "Europe/Copenhagen";
/// The same rule as [`VTIMEZONE`], for the (never expected) case that the bundled tz
/// database lacks the zone.
const POSIX_RULE: &str = "CET-1CEST,M3.5.0,M10.5.0/3";
/// Longest content line in octets, not counting the CRLF (RFC 5545 §3.1).
const MAX_LINE_OCTETS: usize = 75;
const REMINDER_BEFORE: &str = "-PT60M";

/// Europe/Copenhagen since 1996. DTSTART is local time in the offset *before* the change
/// (02:00 CET = 03:00 CEST = 01:00 UTC) and is the first occurrence of each RRULE.
const VTIMEZONE: &[&str] = &[
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Copenhagen",
    "X-LIC-LOCATION:Europe/Copenhagen",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19960331T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19961027T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
];

/// One appointment as the calendar shows it. Times are Unix seconds (UTC instants).
#[derive(Clone, Copy, Debug)]
pub struct Event<'a> {
    /// Stable id, e.g. the appointment's ULID; rendered as `<uid>@bisidder`.
    pub uid: &'a str,
    /// Bumped on every change (RFC 5545 `SEQUENCE`), so clients replace their copy.
    pub sequence: i64,
    pub starts_at: i64,
    /// Not after `starts_at` means "no end": `DTEND` is then left out (a zero-length event).
    pub ends_at: i64,
    /// E.g. "Formøde (bisidder)". The caller keeps it free of personal data: calendars
    /// are synced to third parties.
    pub summary: &'a str,
    pub location: Option<&'a str>,
    pub description: Option<&'a str>,
    /// `STATUS:CANCELLED` and no reminder.
    pub cancelled: bool,
    /// `DTSTAMP` and `LAST-MODIFIED`.
    pub updated_at: i64,
}

/// A complete `VCALENDAR` named `name` holding `events` (an empty list is a valid, empty
/// calendar), with CRLF line endings and lines folded at 75 octets.
pub fn calendar(name: &str, events: &[Event<'_>]) -> String {
    let zone = copenhagen();
    let mut out = Lines::default();
    out.raw("BEGIN:VCALENDAR");
    out.raw("VERSION:2.0");
    out.raw("PRODID:-//Bisidder//Bisidder//DA");
    out.raw("CALSCALE:GREGORIAN");
    out.raw("METHOD:PUBLISH");
    out.text("X-WR-CALNAME", name);
    out.raw(&format!("X-WR-TIMEZONE:{TZID}"));
    // How often a subscribed feed should be fetched again (RFC 7986, and Outlook's own).
    out.raw("REFRESH-INTERVAL;VALUE=DURATION:PT1H");
    out.raw("X-PUBLISHED-TTL:PT1H");
    for line in VTIMEZONE {
        out.raw(line);
    }
    for event in events {
        write_event(&mut out, &zone, event);
    }
    out.raw("END:VCALENDAR");
    out.ics
}

fn write_event(out: &mut Lines, zone: &TimeZone, event: &Event<'_>) {
    out.raw("BEGIN:VEVENT");
    out.text("UID", &format!("{}@bisidder", event.uid));
    out.raw(&format!("SEQUENCE:{}", event.sequence.max(0)));
    let stamp = utc_time(instant(event.updated_at));
    out.raw(&format!("DTSTAMP:{stamp}"));
    out.raw(&format!("LAST-MODIFIED:{stamp}"));
    out.raw(&format!("DTSTART{}", zoned_value(zone, event.starts_at)));
    if event.ends_at > event.starts_at {
        out.raw(&format!("DTEND{}", zoned_value(zone, event.ends_at)));
    }
    out.text("SUMMARY", event.summary);
    if let Some(location) = event.location {
        out.text("LOCATION", location);
    }
    if let Some(description) = event.description {
        out.text("DESCRIPTION", description);
    }
    out.raw(if event.cancelled {
        "STATUS:CANCELLED"
    } else {
        "STATUS:CONFIRMED"
    });
    out.raw("TRANSP:OPAQUE");
    if !event.cancelled {
        out.raw("BEGIN:VALARM");
        out.raw("ACTION:DISPLAY");
        out.text("DESCRIPTION", event.summary);
        out.raw(&format!("TRIGGER:{REMINDER_BEFORE}"));
        out.raw("END:VALARM");
    }
    out.raw("END:VEVENT");
}

/// Content lines with CRLF endings, each folded to at most 75 octets.
#[derive(Default)]
struct Lines {
    ics: String,
}

impl Lines {
    /// A line whose value is already in iCalendar syntax.
    fn raw(&mut self, line: &str) {
        fold_into(&mut self.ics, line);
    }

    /// A property of value type TEXT, escaped.
    fn text(&mut self, name: &str, value: &str) {
        self.raw(&format!("{name}:{}", escape_text(value)));
    }
}

/// RFC 5545 §3.3.11: backslash, semicolon, comma and line breaks are escaped; other
/// control characters are not allowed in TEXT and are dropped.
fn escape_text(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => escaped.push_str("\\\\"),
            ';' => escaped.push_str("\\;"),
            ',' => escaped.push_str("\\,"),
            '\r' => {
                chars.next_if_eq(&'\n');
                escaped.push_str("\\n");
            }
            '\n' => escaped.push_str("\\n"),
            '\t' => escaped.push(c),
            c if c.is_control() => {}
            c => escaped.push(c),
        }
    }
    escaped
}

/// RFC 5545 §3.1: a line longer than 75 octets continues on the next line after a CRLF
/// and one space. Folds fall between characters, never inside a multi-byte one, and not
/// inside an escape such as `\,` (legal, but some parsers stumble over it).
fn fold_into(out: &mut String, line: &str) {
    let mut rest = line;
    let mut room = MAX_LINE_OCTETS;
    loop {
        let cut = keep_escape_whole(rest, char_boundary_at_most(rest, room));
        out.push_str(&rest[..cut]);
        out.push_str("\r\n");
        rest = &rest[cut..];
        if rest.is_empty() {
            return;
        }
        out.push(' ');
        room = MAX_LINE_OCTETS - 1;
    }
}

fn char_boundary_at_most(s: &str, max: usize) -> usize {
    if s.len() <= max {
        return s.len();
    }
    (1..=max)
        .rev()
        .find(|&i| s.is_char_boundary(i))
        .unwrap_or(max)
}

/// Moves a cut left by one if it would separate an escaping backslash from the character
/// it escapes (an odd run of backslashes just before the cut).
fn keep_escape_whole(s: &str, cut: usize) -> usize {
    if cut == s.len() {
        return cut;
    }
    let backslashes = s.as_bytes()[..cut]
        .iter()
        .rev()
        .take_while(|&&b| b == b'\\')
        .count();
    if backslashes % 2 == 1 && cut > 1 {
        cut - 1
    } else {
        cut
    }
}

fn copenhagen() -> TimeZone {
    TimeZone::get(TZID)
        .or_else(|_| TimeZone::posix(POSIX_RULE))
        .unwrap_or(TimeZone::UTC)
}

/// Instants come from the database and always fit; an impossible one must not panic.
fn instant(unix_seconds: i64) -> Timestamp {
    Timestamp::from_second(unix_seconds).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// `;TZID=Europe/Copenhagen:YYYYMMDDTHHMMSS`, or `:YYYYMMDDTHHMMSSZ` for the one kind of
/// instant a local time cannot name (see the module comment).
fn zoned_value(zone: &TimeZone, unix_seconds: i64) -> String {
    let at = instant(unix_seconds);
    let local = zone.to_datetime(at);
    // RFC 5545 reads a repeated wall-clock time as its first occurrence and a skipped one
    // with the offset before the gap — jiff's "compatible" rule.
    match zone.to_ambiguous_timestamp(local).compatible() {
        Ok(read_back) if read_back == at => format!(";TZID={TZID}:{}", basic_format(local)),
        _ => format!(":{}", utc_time(at)),
    }
}

fn utc_time(at: Timestamp) -> String {
    format!("{}Z", basic_format(TimeZone::UTC.to_datetime(at)))
}

/// `YYYYMMDDTHHMMSS`, the iCalendar DATE-TIME form.
fn basic_format(dt: DateTime) -> String {
    let mut s = String::with_capacity(15);
    // Writing to a String cannot fail.
    let _ = write!(
        s,
        "{:04}{:02}{:02}T{:02}{:02}{:02}",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::{civil::date, ToSpan};

    fn utc(y: i16, mo: i8, d: i8, h: i8, mi: i8) -> i64 {
        date(y, mo, d)
            .at(h, mi, 0, 0)
            .to_zoned(TimeZone::UTC)
            .map(|z| z.timestamp().as_second())
            .unwrap_or_default()
    }

    fn meeting(uid: &str, starts_at: i64) -> Event<'_> {
        Event {
            uid,
            sequence: 2,
            starts_at,
            ends_at: starts_at + 3600,
            summary: "Møde (bisidder)",
            location: Some("Rådhuset, Aarhus"),
            description: None,
            cancelled: false,
            updated_at: utc(2026, 1, 15, 9, 30),
        }
    }

    fn lines(ics: &str) -> Vec<&str> {
        ics.strip_suffix("\r\n")
            .unwrap_or(ics)
            .split("\r\n")
            .collect()
    }

    fn unfold(ics: &str) -> String {
        ics.replace("\r\n ", "")
    }

    /// The unfolded lines of the one VEVENT with this UID.
    fn event_lines(ics: &str, uid: &str) -> Vec<String> {
        let unfolded = unfold(ics);
        let start = format!("UID:{uid}@bisidder");
        let all: Vec<&str> = unfolded.split("\r\n").collect();
        let at = all.iter().position(|l| *l == start).unwrap_or(all.len());
        let begin = all[..at]
            .iter()
            .rposition(|l| *l == "BEGIN:VEVENT")
            .unwrap_or(0);
        all[begin..]
            .iter()
            .take_while(|l| **l != "END:VEVENT")
            .map(|l| l.to_string())
            .collect()
    }

    #[test]
    fn long_lines_fold_between_characters_and_unfold_to_the_original() {
        // "SUMMARY:" + 66 × 'a' is 74 octets, so 'æ' (2 octets) would straddle octet 75.
        let summary = format!("{}æøå{}", "a".repeat(66), "ø".repeat(80));
        let mut event = meeting("fold", utc(2026, 5, 1, 8, 0));
        event.summary = &summary;
        let ics = calendar("Bisidder", &[event]);

        let summary_line = lines(&ics)
            .into_iter()
            .find(|l| l.starts_with("SUMMARY:"))
            .unwrap_or_default();
        assert_eq!(summary_line.len(), 74, "the fold moves before the 'æ'");
        assert!(summary_line.ends_with('a'));
        for line in lines(&ics) {
            assert!(line.len() <= 75, "line over 75 octets: {line:?}");
        }
        let continuation: Vec<&str> = ics
            .split("\r\n")
            .skip_while(|l| !l.starts_with("SUMMARY:"))
            .skip(1)
            .take_while(|l| l.starts_with(' '))
            .collect();
        assert!(continuation.len() >= 3, "{continuation:?}");
        assert!(continuation[0].starts_with(" æøå"));
        assert!(unfold(&ics).contains(&format!("\r\nSUMMARY:{summary}\r\n")));
    }

    #[test]
    fn folds_keep_escapes_whole() {
        // "DESCRIPTION:" + 62 × 'a' is 74 octets: the escape "\," would straddle the fold.
        let description = format!("{},b{}", "a".repeat(62), "d".repeat(80));
        let mut event = meeting("esc-fold", utc(2026, 5, 1, 8, 0));
        event.description = Some(&description);
        let ics = calendar("Bisidder", &[event]);
        let folded = format!("\r\nDESCRIPTION:{}\r\n \\,b", "a".repeat(62));
        assert!(ics.contains(&folded), "{ics}");
        assert_eq!(
            keep_escape_whole("ab\\\\c", 4),
            4,
            "an escaped backslash is whole"
        );
        assert_eq!(keep_escape_whole("ab\\\\\\c", 5), 4);
    }

    #[test]
    fn text_values_escape_backslash_semicolon_comma_and_line_breaks() {
        assert_eq!(
            escape_text("a\\b;c,d\ne\r\nf\rg\u{7}h\ti"),
            "a\\\\b\\;c\\,d\\ne\\nf\\ngh\ti"
        );
        let mut event = meeting("esc", utc(2026, 5, 1, 8, 0));
        event.description = Some("Husk: dokumenter, ID; og ro\nMødested 2. sal");
        let ics = calendar("Anne; bisidder, Aarhus", &[event]);
        assert!(ics.contains("\r\nX-WR-CALNAME:Anne\\; bisidder\\, Aarhus\r\n"));
        assert!(unfold(&ics)
            .contains("\r\nDESCRIPTION:Husk: dokumenter\\, ID\\; og ro\\nMødested 2. sal\r\n"));
        assert!(ics.contains("\r\nLOCATION:Rådhuset\\, Aarhus\r\n"));
    }

    #[test]
    fn spring_forward_day_shows_copenhagen_wall_clock_times() {
        let early = meeting("before-change", utc(2026, 3, 29, 0, 30));
        let later = meeting("after-change", utc(2026, 3, 29, 8, 0));
        let ics = calendar("Bisidder", &[early, later]);

        let early = event_lines(&ics, "before-change");
        assert!(early.contains(&"DTSTART;TZID=Europe/Copenhagen:20260329T013000".into()));
        // One hour later in UTC crosses 01:00 UTC: the clock jumps from 02:00 to 03:00.
        assert!(early.contains(&"DTEND;TZID=Europe/Copenhagen:20260329T033000".into()));
        let later = event_lines(&ics, "after-change");
        assert!(later.contains(&"DTSTART;TZID=Europe/Copenhagen:20260329T100000".into()));
        assert!(later.contains(&"DTEND;TZID=Europe/Copenhagen:20260329T110000".into()));
    }

    #[test]
    fn fall_back_day_shows_copenhagen_wall_clock_times() {
        let first_half_past_two = meeting("first", utc(2026, 10, 25, 0, 30));
        let second_half_past_two = meeting("second", utc(2026, 10, 25, 1, 30));
        let morning = meeting("morning", utc(2026, 10, 25, 9, 0));
        let ics = calendar(
            "Bisidder",
            &[first_half_past_two, second_half_past_two, morning],
        );

        let first = event_lines(&ics, "first");
        assert!(first.contains(&"DTSTART;TZID=Europe/Copenhagen:20261025T023000".into()));
        // The repeated 02:30 cannot be named as a local time, so it is written in UTC.
        let second = event_lines(&ics, "second");
        assert!(second.contains(&"DTSTART:20261025T013000Z".into()));
        assert!(second.contains(&"DTEND;TZID=Europe/Copenhagen:20261025T033000".into()));
        let morning = event_lines(&ics, "morning");
        assert!(morning.contains(&"DTSTART;TZID=Europe/Copenhagen:20261025T100000".into()));
        assert!(morning.contains(&"DTEND;TZID=Europe/Copenhagen:20261025T110000".into()));
    }

    #[test]
    fn event_carries_identity_status_stamp_and_a_reminder() {
        let ics = calendar("Bisidder", &[meeting("01JABC", utc(2026, 6, 1, 7, 0))]);
        let event = event_lines(&ics, "01JABC");
        for expected in [
            "SEQUENCE:2",
            "DTSTAMP:20260115T093000Z",
            "LAST-MODIFIED:20260115T093000Z",
            "STATUS:CONFIRMED",
            "TRANSP:OPAQUE",
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            "DESCRIPTION:Møde (bisidder)",
            "TRIGGER:-PT60M",
            "END:VALARM",
        ] {
            assert!(event.contains(&expected.to_string()), "missing {expected}");
        }
    }

    #[test]
    fn cancelled_event_says_so_and_does_not_remind() {
        let mut event = meeting("gone", utc(2026, 6, 1, 7, 0));
        event.cancelled = true;
        event.sequence = 3;
        let ics = calendar("Bisidder", &[event]);
        let event = event_lines(&ics, "gone");
        assert!(event.contains(&"STATUS:CANCELLED".into()));
        assert!(event.contains(&"SEQUENCE:3".into()));
        assert!(!ics.contains("BEGIN:VALARM"));
        assert!(!ics.contains("STATUS:CONFIRMED"));
    }

    #[test]
    fn empty_calendar_is_a_complete_valid_calendar() {
        let ics = calendar("Bisidder", &[]);
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(ics.ends_with("\r\nEND:VCALENDAR\r\n"));
        assert_eq!(ics.matches('\n').count(), ics.matches("\r\n").count());
        for required in [
            "PRODID:-//Bisidder//Bisidder//DA",
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
            "X-WR-CALNAME:Bisidder",
            "X-WR-TIMEZONE:Europe/Copenhagen",
        ] {
            assert!(lines(&ics).contains(&required), "missing {required}");
        }
        // RFC 5545 wants at least one component: the VTIMEZONE is always there.
        assert!(ics.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Copenhagen\r\n"));
        assert!(!ics.contains("BEGIN:VEVENT"));
        let begins = ics.matches("BEGIN:").count();
        assert_eq!(begins, ics.matches("END:").count());
    }

    #[test]
    fn an_end_not_after_the_start_is_left_out() {
        let mut event = meeting("instant", utc(2026, 6, 1, 7, 0));
        event.ends_at = event.starts_at;
        let ics = calendar("Bisidder", &[event]);
        assert!(!ics.contains("DTEND"));
    }

    #[test]
    fn the_tz_database_knows_copenhagen() {
        assert!(TimeZone::get(TZID).is_ok());
    }

    /// The VTIMEZONE's rule — last Sunday of March and of October at 01:00 UTC — is what
    /// the tz database says for every year from its DTSTART to 2040.
    #[test]
    fn vtimezone_rule_matches_the_tz_database() {
        assert!(VTIMEZONE.contains(&"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU"));
        assert!(VTIMEZONE.contains(&"RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU"));
        let zone = copenhagen();
        let offset_at = |s: i64| zone.to_offset(instant(s)).seconds();
        for year in 1996..=2040 {
            for (month, before, after) in [(3, 3600, 7200), (10, 7200, 3600)] {
                let last_day = date(year, month, 31);
                let back = i64::from(last_day.weekday().to_sunday_zero_offset());
                let sunday = last_day.checked_sub(back.days()).unwrap_or(last_day);
                let change = utc(year, month, sunday.day(), 1, 0);
                assert_eq!(offset_at(change - 1), before, "{year}-{month} before");
                assert_eq!(offset_at(change), after, "{year}-{month} after");
            }
        }
        assert!(VTIMEZONE.contains(&"DTSTART:19960331T020000"));
        assert!(VTIMEZONE.contains(&"DTSTART:19961027T030000"));
    }
}
