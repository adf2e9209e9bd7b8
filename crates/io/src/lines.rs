//! Line numbers as an editor shows them, for CSV records read by the csv crate (shared by every
//! CSV reader of this crate).

use std::collections::VecDeque;

/// Line numbers of the lines that start records, kept beside the csv reader.
///
/// The csv crate's own `Position::line()` does not count skipped blank lines and counts a CRLF pair
/// late, so its numbers drift from what an editor shows. Its byte offsets are right up to the skipped
/// terminators, so each record's line is found here as the first line with content at or after the
/// record's byte offset. Only lines not yet asked about are kept: memory stays within the reader's buffer.
#[derive(Debug)]
pub(crate) struct LineIndex {
    /// (byte offset, line number) of lines that have content, not yet passed by a record.
    starts: VecDeque<(u64, u64)>,
    /// Bytes seen so far.
    offset: u64,
    /// Number of the line the next byte belongs to.
    line: u64,
    at_line_start: bool,
    current_start: u64,
    current_pushed: bool,
}

impl Default for LineIndex {
    fn default() -> Self {
        LineIndex {
            starts: VecDeque::new(),
            offset: 0,
            line: 1,
            at_line_start: true,
            current_start: 0,
            current_pushed: false,
        }
    }
}

impl LineIndex {
    pub(crate) fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if self.at_line_start {
                self.at_line_start = false;
                self.current_start = self.offset;
                self.current_pushed = false;
            }
            match b {
                b'\n' => {
                    self.line += 1;
                    self.at_line_start = true;
                }
                b'\r' => {}
                _ if !self.current_pushed => {
                    self.starts.push_back((self.current_start, self.line));
                    self.current_pushed = true;
                }
                _ => {}
            }
            self.offset += 1;
        }
    }

    /// The line of a record starting at byte `start` (blank lines before it skipped).
    pub(crate) fn line_at(&mut self, start: u64) -> u64 {
        while self.starts.front().is_some_and(|(o, _)| *o < start) {
            self.starts.pop_front();
        }
        self.starts.front().map_or(self.line, |(_, l)| *l)
    }

    pub(crate) fn current_line(&self) -> u64 {
        self.line
    }
}
