//! Saving a response body: `-o FILE`, `-d/--download` and `-c/--continue` (SPEC §6).
//!
//! Past CVEs in download tools came from names chosen by the server (path traversal),
//! following symbolic links, overwriting files, and resume logic that appended a whole
//! response to a partial file. So: a name from the server is reduced to a bare file name
//! (`filename.rs`) and created with `O_EXCL` next to existing files, never over them; a file
//! named with `-o` is never written through a symbolic link; `-c` appends only a 206 whose
//! `Content-Range` starts exactly where the file ends, and leaves the file alone otherwise.
//! A body cut short exits 1, says how much arrived and keeps the partial file for `-c`.
//! The body is copied through fixed buffers (`copy.rs`), so memory stays flat whatever the
//! size. Ctrl-C while a body is being saved ([`interrupt`]) stops it the same way: what
//! arrived is written, the partial file kept, and rq exits 130.

mod copy;
pub mod filename;
#[cfg(target_os = "linux")]
mod splice;

use std::fs::{File, OpenOptions};
use std::io::{self, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use anyhow::Result;
use http::header;
use url::Url;

use crate::diagnostics::Diagnostics;
use crate::engine::{Direct, Head, ResponseBody};
use crate::error::{fail, ExitCode};
use crate::progress::{self, Counted, Progress};
use crate::stdout::Stdout;

/// Bodies at least this long (or of unknown length) are written to a file on a second
/// thread; for smaller ones starting it costs more than it saves.
const OVERLAP_MIN: u64 = 8 * 1024 * 1024;

/// A body is being saved: Ctrl-C lets it keep what arrived.
static SAVING: AtomicBool = AtomicBool::new(false);
/// Ctrl-C came while a body was being saved.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Ctrl-C: true when a body is being saved, which then stops once the connection is shut
/// (the caller does that), writes what arrived and ends with exit 130. False (exit at
/// once) otherwise, and for a second Ctrl-C.
pub fn interrupt() -> bool {
    SAVING.load(Ordering::SeqCst) && !INTERRUPTED.swap(true, Ordering::SeqCst)
}

/// Marks a body as being saved while it lives.
struct Saving;

impl Saving {
    fn start() -> Saving {
        SAVING.store(true, Ordering::SeqCst);
        Saving
    }
}

impl Drop for Saving {
    fn drop(&mut self) {
        SAVING.store(false, Ordering::SeqCst);
    }
}

/// How the response body is saved, resolved from `-o`, `-d` and `-c`.
#[derive(Debug, Clone)]
pub struct Options {
    /// `-d`: the invocation is a download (headers go to stderr).
    pub download: bool,
    pub dest: Dest,
    /// `-c`: the length of the partial file (0 when there is none yet). Above 0, the
    /// request asks for the rest with `Range`.
    pub resume_from: Option<u64>,
    /// `-o FILE` (without `-c`), opened while planning: see [`OutputFile`].
    pub opened: Option<Arc<OutputFile>>,
    /// Save only 2xx bodies: `-d` with status checking on (the default). A plain `-o`
    /// saves whatever the server sent, like curl.
    pub only_success: bool,
    /// The progress bar, the one-line summary, warnings, and `--debug` (which says when
    /// the body is moved with splice(2)).
    pub diagnostics: Diagnostics,
}

/// Where the body goes.
#[derive(Debug, Clone)]
pub enum Dest {
    /// `-o FILE`: exactly this path. An existing file is replaced (the user named it), but
    /// never through a symbolic link.
    File(PathBuf),
    /// `-d` with stdout a terminal: a name from the response and the URL typed, in the
    /// current directory, next to any existing file (`-1`, `-2` …).
    Named(Url),
    /// `-d` with stdout redirected and no `-o`: the body to stdout, as received.
    Stdout,
}

/// What [`save`] did.
#[derive(Debug)]
pub enum Saved {
    /// The body was saved; `received` bytes came over the wire.
    Written { received: u64 },
    /// `-c` found the file complete already (416): success.
    Complete,
    /// Not a response to save (a failure status under `-d`, or anything but 200, 206 and
    /// 416 under `-c`); nothing was written.
    Skipped,
}

/// What to do with a response.
enum Action<'a> {
    /// Create a new file in the current directory, next to existing ones.
    New(String),
    /// `-o FILE` from the start.
    Replace(&'a Path),
    /// `-c`: append to the partial file of this length.
    Append(&'a Path, u64),
    Stdout,
}

enum Decision<'a> {
    Write(Action<'a>),
    Complete,
    Skip,
}

/// Save the body of the final response as `opts` say. Headers have been printed already.
/// `direct`: the response's socket, when the engine offers it and the request can have a
/// body; a large body of known length is then moved from it with splice(2).
pub fn save(
    opts: &Options,
    parts: &Head,
    body: ResponseBody,
    direct: Option<Direct>,
) -> Result<Saved> {
    let action = match action(opts, parts)? {
        Ok(action) => action,
        Err(done) => return Ok(done),
    };
    let started = Instant::now();
    let start = match action {
        Action::Append(_, from) => from,
        _ => 0,
    };
    let (out, shown) = open(&action, opts.opened.as_ref())?;
    let length = header_str(parts, header::CONTENT_LENGTH).and_then(|v| v.trim().parse().ok());
    let reserved = match (&out, length) {
        (Sink::File(file), Some(len)) if len >= OVERLAP_MIN => reserve(file, start, len),
        _ => None,
    };
    let progress = Progress::new(opts.diagnostics.progress, &shown, length, start);
    let counted = Counted::new(body.into_reader(), progress.clone());
    let received = counted.counter();
    let decoded = crate::engine::decoded(Box::new(counted), parts);
    let diag = &opts.diagnostics;
    diag.unknown_encoding(&decoded.unknown, "saved");
    let mut reader = decoded.reader;
    let direct = direct
        .zip(length)
        .filter(|&(_, len)| len >= OVERLAP_MIN && as_sent(parts));
    let saving = Saving::start();
    let result = match (out, direct) {
        (Sink::File(mut file), Some((direct, len))) => {
            diag.debug(format_args!(
                "the body goes from the socket to {shown} with splice(2)"
            ));
            let moved = |n| {
                received.fetch_add(n, Ordering::Relaxed);
                progress.add(n);
            };
            direct_copy(&mut reader, &mut file, len, &direct, moved)
        }
        (Sink::File(file), None) if length.is_none_or(|n| n >= OVERLAP_MIN) => {
            copy::overlapped(&mut reader, file)
        }
        (Sink::File(mut file), None) => copy::simple(&mut reader, &mut file, false),
        (Sink::Stdout(mut stdout), _) => copy::simple(&mut reader, &mut stdout, true),
    };
    drop(saving);
    progress.clear();
    let interrupted = INTERRUPTED.load(Ordering::SeqCst);
    if result.is_err() || interrupted {
        release(reserved);
    }
    let got = received.load(Ordering::Relaxed);
    let written = match result {
        // Whatever the copy made of the shut connection, what arrived is written.
        Ok(_) | Err(copy::Failed::Read(_)) if interrupted => {
            return Err(stopped(got, length, &action, &shown))
        }
        Ok(written) => written,
        Err(copy::Failed::Read(e)) => return Err(cut_short(e, got, length, &action, &shown)),
        Err(copy::Failed::Write(e, n)) => return Err(write_error(e, n, &shown)),
    };
    if opts.diagnostics.summary {
        summary(&action, start, &shown, written, started);
    }
    Ok(Saved::Written { received: got })
}

/// What to write, or the outcome when there is nothing to write (said on stderr).
fn action<'a>(opts: &'a Options, parts: &Head) -> Result<Result<Action<'a>, Saved>> {
    Ok(match decide(opts, parts)? {
        Decision::Write(action) => Ok(action),
        Decision::Complete => {
            if let (true, Dest::File(path)) = (opts.diagnostics.summary, &opts.dest) {
                let len = opts.resume_from.unwrap_or(0);
                eprintln!("'{}' is already complete ({len} bytes)", path.display());
            }
            Err(Saved::Complete)
        }
        Decision::Skip => {
            warn_skipped(opts, parts.status);
            Err(Saved::Skipped)
        }
    })
}

/// The one line after a download: where it went and how fast.
fn summary(action: &Action, start: u64, shown: &str, written: u64, started: Instant) {
    let what = progress::summary(written, started.elapsed());
    match (action, start) {
        (Action::Stdout, _) => eprintln!("Downloaded to stdout: {what}"),
        (_, 0) => eprintln!("Saved {shown}: {what}"),
        (_, n) => eprintln!("Saved {shown} (resumed after {n} bytes): {what}"),
    }
}

/// Reserve the body's space in the file before writing it (Linux): the file system
/// allocates it in one go instead of block by block as writes arrive (about 8% less time
/// for a large file on ext4), while the file's length still grows only with what is
/// written. Returns a handle to give back what a body cut short leaves unused.
#[cfg(target_os = "linux")]
fn reserve(file: &File, at: u64, len: u64) -> Option<File> {
    let handle = file.try_clone().ok()?;
    let keep = rustix::fs::FallocateFlags::KEEP_SIZE;
    rustix::fs::fallocate(file, keep, at, len).ok()?;
    Some(handle)
}

#[cfg(not(target_os = "linux"))]
fn reserve(_file: &File, _at: u64, _len: u64) -> Option<File> {
    None
}

/// Give back the space reserved past the end of a file that stopped short (truncating a
/// file to its own length frees what lies beyond it).
fn release(reserved: Option<File>) {
    if let Some(file) = reserved {
        if let Ok(meta) = file.metadata() {
            let _ = file.set_len(meta.len());
        }
    }
}

/// The body on the wire is the body to save: a status that has one, no transfer or
/// content coding to undo. (The length was checked by the caller; a HEAD request is never
/// offered.)
fn as_sent(parts: &Head) -> bool {
    let status = parts.status.as_u16();
    let coded =
        |name| header_str(parts, name).is_some_and(|v| !v.trim().eq_ignore_ascii_case("identity"));
    status >= 200
        && status != 204
        && status != 304
        && !parts.headers.contains_key(header::TRANSFER_ENCODING)
        && !coded(header::CONTENT_ENCODING)
}

/// A body of `len` bytes to `file`: first what ureq has already read from the socket
/// (through `reader`), then the rest straight from the socket. `moved` counts the latter.
#[cfg(target_os = "linux")]
fn direct_copy(
    reader: &mut dyn io::Read,
    file: &mut File,
    len: u64,
    direct: &Direct,
    mut moved: impl FnMut(u64),
) -> Result<u64, copy::Failed> {
    let mut written = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    while direct.offer.unconsumed() > 0 && written < len {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(copy::Failed::Read(e)),
        };
        file.write_all(&buf[..n])
            .map_err(|e| copy::Failed::Write(e, written))?;
        written += n as u64;
    }
    let limits = splice::Limits {
        idle: direct.idle,
        deadline: direct.deadline,
    };
    let socket = direct.offer.socket();
    let rest = splice::spliced(socket, file, len - written, limits, &mut moved);
    match rest {
        Ok(n) => Ok(written + n),
        Err(copy::Failed::Write(e, n)) => Err(copy::Failed::Write(e, written + n)),
        Err(read) => Err(read),
    }
}

/// Without splice(2), the ordinary copy.
#[cfg(not(target_os = "linux"))]
fn direct_copy(
    reader: &mut dyn io::Read,
    file: &mut File,
    _len: u64,
    _direct: &Direct,
    _moved: impl FnMut(u64),
) -> Result<u64, copy::Failed> {
    copy::simple(reader, file, false)
}

/// `nothing saved: the server answered 404 Not Found`, unless `-qq`.
fn warn_skipped(opts: &Options, status: http::StatusCode) {
    if !opts.diagnostics.warnings {
        return;
    }
    let reason = status.canonical_reason().unwrap_or("");
    let left = match (&opts.dest, opts.resume_from) {
        (Dest::File(path), Some(_)) => format!("; '{}' was left as it was", path.display()),
        _ => String::new(),
    };
    eprintln!(
        "rq: warning: nothing saved: the server answered {} {reason}{left}",
        status.as_u16()
    );
}

fn decide<'a>(opts: &'a Options, parts: &Head) -> Result<Decision<'a>> {
    let success = parts.status.is_success();
    if let (Some(from), Dest::File(path)) = (opts.resume_from, &opts.dest) {
        if from > 0 {
            return resume(path, from, parts, opts.diagnostics.warnings);
        }
        if !success {
            return Ok(Decision::Skip);
        }
    }
    if opts.only_success && !success {
        return Ok(Decision::Skip);
    }
    Ok(Decision::Write(match &opts.dest {
        Dest::File(path) => Action::Replace(path),
        Dest::Named(url) => Action::New(filename::choose(
            url,
            parts
                .headers
                .get(header::CONTENT_DISPOSITION)
                .map(|v| v.as_bytes()),
            header_str(parts, header::CONTENT_TYPE),
        )),
        Dest::Stdout => Action::Stdout,
    }))
}

/// The `-c` matrix: 206 starting where the file ends appends; 200 starts over; 416 means
/// the file is complete; anything else, or a 206 that does not fit, leaves the file alone.
fn resume<'a>(path: &'a Path, from: u64, parts: &Head, warnings: bool) -> Result<Decision<'a>> {
    let name = path.display();
    let range = header_str(parts, header::CONTENT_RANGE);
    match parts.status.as_u16() {
        206 => {
            if let Some(coding) = encoding(parts) {
                return Err(fail(
                    ExitCode::Error,
                    format!(
                        "the server sent the rest of '{name}' compressed (Content-Encoding: \
                         {coding}), which can't be appended; '{name}' was left as it was"
                    ),
                ));
            }
            match range.and_then(content_range_start) {
                Some(start) if start == from => Ok(Decision::Write(Action::Append(path, from))),
                Some(start) => Err(fail(
                    ExitCode::Error,
                    format!(
                        "the server sent bytes from {start} on, but '{name}' has {from}: not \
                         appending; '{name}' was left as it was"
                    ),
                )),
                None => Err(fail(
                    ExitCode::Error,
                    format!(
                        "the server answered 206 without a usable Content-Range ({}); \
                         '{name}' was left as it was",
                        range.unwrap_or("none")
                    ),
                )),
            }
        }
        200 => {
            if warnings {
                eprintln!(
                    "rq: warning: the server ignored the range request: downloading '{name}' \
                     again from the start"
                );
            }
            Ok(Decision::Write(Action::Replace(path)))
        }
        416 => match range.and_then(unsatisfied_total) {
            Some(total) if total != from => Err(fail(
                ExitCode::Error,
                format!(
                    "'{name}' has {from} bytes but the server says the whole file has {total}: \
                     it can't be resumed; '{name}' was left as it was (remove it to download \
                     again)"
                ),
            )),
            _ => Ok(Decision::Complete),
        },
        _ => Ok(Decision::Skip),
    }
}

fn header_str(parts: &Head, name: header::HeaderName) -> Option<&str> {
    parts.headers.get(name).and_then(|v| v.to_str().ok())
}

/// The response's Content-Encoding, unless absent or `identity`.
fn encoding(parts: &Head) -> Option<&str> {
    header_str(parts, header::CONTENT_ENCODING)
        .map(str::trim)
        .filter(|c| !c.is_empty() && !c.eq_ignore_ascii_case("identity"))
}

/// The first byte of `bytes START-END/TOTAL`.
fn content_range_start(value: &str) -> Option<u64> {
    let rest = value.trim().strip_prefix("bytes")?.trim_start();
    let (range, _total) = rest.split_once('/')?;
    let (start, end) = range.split_once('-')?;
    let (start, end): (u64, u64) = (start.trim().parse().ok()?, end.trim().parse().ok()?);
    (start <= end).then_some(start)
}

/// The total of a 416's `bytes */TOTAL`.
fn unsatisfied_total(value: &str) -> Option<u64> {
    let rest = value.trim().strip_prefix("bytes")?.trim_start();
    rest.strip_prefix("*/")?.trim().parse().ok()
}

/// Where the bytes go.
enum Sink {
    File(File),
    Stdout(Stdout),
}

/// Open the destination; returns it and how to name it in messages.
fn open(action: &Action, opened: Option<&Arc<OutputFile>>) -> Result<(Sink, String)> {
    Ok(match action {
        Action::New(name) => {
            let (file, name) = create_new(name)?;
            (Sink::File(file), format!("'{name}'"))
        }
        Action::Replace(path) => (
            Sink::File(open_replace(path, opened)?),
            format!("'{}'", path.display()),
        ),
        Action::Append(path, from) => (
            Sink::File(open_append(path, *from)?),
            format!("'{}'", path.display()),
        ),
        Action::Stdout => (Sink::Stdout(Stdout), "stdout".into()),
    })
}

/// Create `name`, or `name-1`, `name-2` … before the extension, in the current directory.
/// `O_CREAT|O_EXCL` fails on anything already there, a dangling symbolic link included, so
/// no file is replaced and no link followed, without a window for a race.
fn create_new(name: &str) -> Result<(File, String)> {
    for n in 0..10_000u32 {
        let candidate = match n {
            0 => name.to_string(),
            n => filename::numbered(name, n),
        };
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate)
        {
            Ok(file) => return Ok((file, candidate)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(fail(
                    ExitCode::Error,
                    format!("couldn't create '{candidate}' in the current directory: {e}"),
                ))
            }
        }
    }
    Err(fail(
        ExitCode::Error,
        format!("'{name}' and 9999 numbered variants exist already: choose a name with -o FILE"),
    ))
}

/// `-o FILE`, opened (or created) before the request is sent, so that a path rq can't write
/// is found while nothing has gone out yet, as httpie does. An existing file is kept as it
/// is until a body comes to replace it; a file created here is removed again when no body
/// was written to it (the request failed, or `-d` skipped a 4xx), so a failed run leaves
/// nothing behind.
#[derive(Debug)]
pub struct OutputFile {
    file: File,
    path: PathBuf,
    created: bool,
    used: std::sync::atomic::AtomicBool,
}

impl OutputFile {
    /// Open `path` for `-o`; nothing is ever opened through a symbolic link to a file. The
    /// error is the reason, in words.
    pub fn open(path: &Path) -> Result<OutputFile, String> {
        let (file, created) = open_output(path)?;
        Ok(OutputFile {
            file,
            path: path.to_path_buf(),
            created,
            used: false.into(),
        })
    }
}

impl Drop for OutputFile {
    fn drop(&mut self) {
        if !self.created || self.used.load(Ordering::Relaxed) {
            return;
        }
        // Only the file rq created: the path still names the same inode.
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let same = |a: &std::fs::Metadata, b: &std::fs::Metadata| {
                a.dev() == b.dev() && a.ino() == b.ino()
            };
            if let (Ok(ours), Ok(there)) =
                (self.file.metadata(), std::fs::symlink_metadata(&self.path))
            {
                if same(&ours, &there) && there.len() == 0 {
                    let _ = std::fs::remove_file(&self.path);
                }
            }
        }
    }
}

/// Open (or create, then the flag is true) `path` for writing without truncating it.
fn open_output(path: &Path) -> Result<(File, bool), String> {
    let shown = path.display();
    let cant = |e: io::Error| format!("can't write '{shown}': {e}");
    match OpenOptions::new().write(true).create_new(true).open(path) {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        other => return other.map(|file| (file, true)).map_err(cant),
    }
    // Opened without truncating: a link or a device must not lose anything before the
    // checks below, and the file stays whole if no body comes.
    match no_follow(OpenOptions::new().write(true)).open(path) {
        Ok(file) => Ok((file, false)),
        Err(e) if is_link_error(&e) => {
            // A link to a device or pipe (`-o /dev/stdout`) is harmless; a link to a file
            // is how a planted link makes a download overwrite something else.
            let file = OpenOptions::new().write(true).open(path).map_err(cant)?;
            if file.metadata().map_err(cant)?.is_file() {
                return Err(format!(
                    "'{shown}' is a symbolic link to a file, and rq doesn't write through \
                     links: remove it, or give the real path with -o"
                ));
            }
            Ok((file, false))
        }
        Err(e) => Err(cant(e)),
    }
}

/// `-o FILE` from the start: the file opened by the plan (or now), emptied when it is a
/// regular file, written from its beginning.
fn open_replace(path: &Path, opened: Option<&Arc<OutputFile>>) -> Result<File> {
    let shown = path.display();
    let cant = |e: io::Error| fail(ExitCode::Error, format!("couldn't write '{shown}': {e}"));
    let file = match opened {
        Some(out) => {
            out.used.store(true, Ordering::Relaxed);
            out.file.try_clone().map_err(cant)?
        }
        None => {
            open_output(path)
                .map_err(|why| fail(ExitCode::Error, why))?
                .0
        }
    };
    if file.metadata().map_err(cant)?.is_file() {
        file.set_len(0).map_err(cant)?;
        // The same file may be written again (a request file's next request).
        (&file).seek(io::SeekFrom::Start(0)).map_err(cant)?;
    }
    Ok(file)
}

/// `-c`: the partial file, for appending, if it is still what the plan saw.
fn open_append(path: &Path, from: u64) -> Result<File> {
    let shown = path.display();
    let file = no_follow(OpenOptions::new().append(true))
        .open(path)
        .map_err(|e| {
            let why = if is_link_error(&e) {
                "it is now a symbolic link".to_string()
            } else {
                e.to_string()
            };
            fail(ExitCode::Error, format!("couldn't resume '{shown}': {why}"))
        })?;
    let meta = file
        .metadata()
        .map_err(|e| fail(ExitCode::Error, format!("couldn't resume '{shown}': {e}")))?;
    if !meta.is_file() || meta.len() != from {
        return Err(fail(
            ExitCode::Error,
            format!(
                "'{shown}' changed while the request was on its way ({} bytes, {from} \
                 expected); it was left as it is",
                meta.len()
            ),
        ));
    }
    Ok(file)
}

#[cfg(unix)]
fn no_follow(options: &mut OpenOptions) -> &mut OpenOptions {
    use std::os::unix::fs::OpenOptionsExt;
    options.custom_flags(libc::O_NOFOLLOW)
}

#[cfg(not(unix))]
fn no_follow(options: &mut OpenOptions) -> &mut OpenOptions {
    options
}

/// `O_NOFOLLOW` met a symbolic link.
fn is_link_error(e: &io::Error) -> bool {
    #[cfg(unix)]
    return e.raw_os_error() == Some(libc::ELOOP);
    #[cfg(not(unix))]
    return false;
}

/// `; the partial file 'x' was kept: resume with -c -o 'x'` (nothing for stdout).
fn kept(action: &Action, shown: &str) -> String {
    match action {
        Action::Stdout => String::new(),
        _ => format!("; the partial file {shown} was kept: resume with -c -o {shown}"),
    }
}

/// Ctrl-C stopped the body: exit 130, with the same facts as a body cut short.
fn stopped(received: u64, length: Option<u64>, action: &Action, shown: &str) -> anyhow::Error {
    let of = length.map(|l| format!(" of {l}")).unwrap_or_default();
    let kept = kept(action, shown);
    fail(
        ExitCode::Interrupted,
        format!("the download was interrupted after {received}{of} bytes{kept}"),
    )
}

/// A body that ended early: exit 1 (2 for a timeout), saying how much arrived and that the
/// partial file is kept for `-c`.
fn cut_short(
    e: io::Error,
    received: u64,
    length: Option<u64>,
    action: &Action,
    shown: &str,
) -> anyhow::Error {
    let of = length.map(|l| format!(" of {l}")).unwrap_or_default();
    let kept = kept(action, shown);
    if let Some(which) = crate::error::timeout_of(&e) {
        return fail(
            ExitCode::Timeout,
            format!("the download timed out after {received}{of} bytes: {which}{kept}"),
        );
    }
    fail(
        ExitCode::Error,
        format!("the download was cut short: {received}{of} bytes arrived ({e}){kept}"),
    )
}

fn write_error(e: io::Error, written: u64, shown: &str) -> anyhow::Error {
    if e.kind() == io::ErrorKind::BrokenPipe {
        return e.into();
    }
    // A failed write to stdout says "stdout" itself; the destination is named here.
    let why = crate::stdout::write_error(&e).map_or_else(|| e.to_string(), |w| w.0.to_string());
    fail(
        ExitCode::Error,
        format!("couldn't write to {shown} after {written} bytes: {why}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_range_table() {
        for (value, want) in [
            ("bytes 1234-4999/5000", Some(1234)),
            ("bytes 0-0/*", Some(0)),
            ("bytes  7-9/10", Some(7)),
            ("bytes 9-7/10", None),
            ("bytes */5000", None),
            ("items 1-2/3", None),
            ("", None),
        ] {
            assert_eq!(content_range_start(value), want, "{value:?}");
        }
        assert_eq!(unsatisfied_total("bytes */5000"), Some(5000));
        assert_eq!(unsatisfied_total("bytes 0-1/5000"), None);
    }
}
