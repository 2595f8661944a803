//! Progress on stderr for downloads and large uploads, and the one-line summary after a
//! download.
//!
//! Bars are drawn by indicatif only when the plan says stderr is a terminal (and `-q` was not
//! given); otherwise nothing is drawn at all, not even hidden bars. indicatif limits redraws
//! to 20 a second, so counting each chunk costs an atomic add and a clock read.

use std::io::{self, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use indicatif::{HumanBytes, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Uploads smaller than this finish before a bar would be worth drawing.
pub const UPLOAD_MIN: u64 = 4 * 1024 * 1024;

/// A bar, or nothing.
#[derive(Clone)]
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// No progress shown.
    pub fn none() -> Progress {
        Progress { bar: None }
    }

    /// `label` (the file's name, or `upload`), then bytes, total, rate and ETA when the
    /// total is known; a spinner with bytes and rate when not. A resumed download starts at
    /// `start` bytes of `start + total`.
    pub fn new(show: bool, label: &str, total: Option<u64>, start: u64) -> Progress {
        if !show {
            return Progress::none();
        }
        let target = ProgressDrawTarget::stderr();
        let (bar, template) = match total {
            Some(total) => (
                ProgressBar::with_draw_target(Some(start + total), target),
                "{msg} {bytes}/{total_bytes} [{wide_bar}] {bytes_per_sec}, ETA {eta}",
            ),
            None => (
                ProgressBar::with_draw_target(None, target),
                "{msg} {spinner} {bytes} {bytes_per_sec}",
            ),
        };
        let style = ProgressStyle::with_template(template)
            .expect("progress template is valid")
            .progress_chars("=> ");
        // Configured before its first draw, then drawn at once, so even a transfer that
        // finishes quickly shows where it started.
        let bar = bar
            .with_style(style)
            .with_message(label.to_string())
            .with_position(start);
        bar.reset_eta();
        bar.tick();
        Progress { bar: Some(bar) }
    }

    pub fn add(&self, n: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(n);
        }
    }

    /// Remove the bar from the terminal (the summary line, if any, replaces it).
    pub fn clear(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// A reader that counts what passes through it and advances a bar.
pub struct Counted<R> {
    inner: R,
    progress: Progress,
    count: Arc<AtomicU64>,
    /// Clear the bar at the end of input, or once this many bytes have passed (uploads:
    /// the response follows, and a sized body is not read past its length).
    clear_at: Option<u64>,
}

impl<R: Read> Counted<R> {
    pub fn new(inner: R, progress: Progress) -> Self {
        Counted {
            inner,
            progress,
            count: Arc::new(AtomicU64::new(0)),
            clear_at: None,
        }
    }

    /// Clear the bar when the input ends or `len` bytes have been read.
    pub fn clearing_at(mut self, len: Option<u64>) -> Self {
        self.clear_at = Some(len.unwrap_or(u64::MAX));
        self
    }

    /// A handle on the count that stays readable after the reader moves on.
    pub fn counter(&self) -> Arc<AtomicU64> {
        self.count.clone()
    }
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let count = self.count.fetch_add(n as u64, Ordering::Relaxed) + n as u64;
        self.progress.add(n as u64);
        if let Some(at) = self.clear_at {
            if (n == 0 && !buf.is_empty()) || count >= at {
                self.progress.clear();
            }
        }
        Ok(n)
    }
}

/// `1.00 GiB in 0.84 s (1.19 GiB/s)`.
pub fn summary(bytes: u64, elapsed: Duration) -> String {
    let secs = elapsed.as_secs_f64();
    let rate = if secs > 0.0 {
        format!(" ({}/s)", HumanBytes((bytes as f64 / secs) as u64))
    } else {
        String::new()
    };
    format!("{} in {secs:.2} s{rate}", HumanBytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counted_reader_counts_every_byte() {
        let mut r = Counted::new(&b"hello world"[..], Progress::none());
        let count = r.counter();
        std::io::copy(&mut r, &mut std::io::sink()).unwrap();
        assert_eq!(count.load(Ordering::Relaxed), 11);
    }

    #[test]
    fn summary_names_size_time_and_rate() {
        let s = summary(3 * 1024 * 1024, Duration::from_secs(2));
        assert_eq!(s, "3.00 MiB in 2.00 s (1.50 MiB/s)");
    }
}
