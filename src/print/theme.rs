//! Colour themes: an SGR escape per kind of token. Built only when colours are on.

use super::json::JsonColors;
use super::xml::XmlColors;

pub const RESET: &str = "\x1b[0m";

/// The themes rq has (`--style`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThemeName {
    /// The terminal's own 16 colours.
    Auto,
    Monokai,
    Solarized,
}

/// The escape codes a theme assigns to each kind of token.
#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub json: JsonColors,
    pub xml: XmlColors,
    pub method: &'static str,
    pub url: &'static str,
    pub version: &'static str,
    pub header_name: &'static str,
    pub header_value: &'static str,
    pub status_2xx: &'static str,
    pub status_3xx: &'static str,
    pub status_4xx: &'static str,
    pub status_5xx: &'static str,
    pub status_other: &'static str,
    pub note: &'static str,
}

impl Theme {
    pub fn of(name: ThemeName) -> Theme {
        match name {
            ThemeName::Auto => AUTO,
            ThemeName::Monokai => MONOKAI,
            ThemeName::Solarized => SOLARIZED,
        }
    }

    pub fn status(&self, code: u16) -> &'static str {
        match code {
            200..=299 => self.status_2xx,
            300..=399 => self.status_3xx,
            400..=499 => self.status_4xx,
            500..=599 => self.status_5xx,
            _ => self.status_other,
        }
    }
}

/// The terminal's own 16 colours, so the user's palette decides the actual hues.
const AUTO: Theme = Theme {
    json: JsonColors {
        key: "\x1b[34;1m",
        string: "\x1b[32m",
        number: "\x1b[36m",
        literal: "\x1b[35m",
        punct: "",
    },
    xml: XmlColors {
        tag: "\x1b[34;1m",
        attr: "\x1b[36m",
        value: "\x1b[32m",
        entity: "\x1b[35m",
        comment: "\x1b[2m",
    },
    method: "\x1b[32;1m",
    url: "\x1b[36m",
    version: "\x1b[34m",
    header_name: "\x1b[36m",
    header_value: "",
    status_2xx: "\x1b[32;1m",
    status_3xx: "\x1b[33;1m",
    status_4xx: "\x1b[31;1m",
    status_5xx: "\x1b[31;1;7m",
    status_other: "\x1b[1m",
    note: "\x1b[2m",
};

const MONOKAI: Theme = Theme {
    json: JsonColors {
        key: "\x1b[38;5;197m",
        string: "\x1b[38;5;186m",
        number: "\x1b[38;5;141m",
        literal: "\x1b[38;5;81m",
        punct: "\x1b[38;5;231m",
    },
    xml: XmlColors {
        tag: "\x1b[38;5;197m",
        attr: "\x1b[38;5;148m",
        value: "\x1b[38;5;186m",
        entity: "\x1b[38;5;141m",
        comment: "\x1b[38;5;245m",
    },
    method: "\x1b[38;5;148;1m",
    url: "\x1b[38;5;81m",
    version: "\x1b[38;5;245m",
    header_name: "\x1b[38;5;81m",
    header_value: "\x1b[38;5;231m",
    status_2xx: "\x1b[38;5;148;1m",
    status_3xx: "\x1b[38;5;208;1m",
    status_4xx: "\x1b[38;5;197;1m",
    status_5xx: "\x1b[38;5;197;1;7m",
    status_other: "\x1b[38;5;231;1m",
    note: "\x1b[38;5;245m",
};

const SOLARIZED: Theme = Theme {
    json: JsonColors {
        key: "\x1b[38;5;33m",
        string: "\x1b[38;5;37m",
        number: "\x1b[38;5;166m",
        literal: "\x1b[38;5;125m",
        punct: "\x1b[38;5;244m",
    },
    xml: XmlColors {
        tag: "\x1b[38;5;33m",
        attr: "\x1b[38;5;136m",
        value: "\x1b[38;5;37m",
        entity: "\x1b[38;5;166m",
        comment: "\x1b[38;5;244m",
    },
    method: "\x1b[38;5;64;1m",
    url: "\x1b[38;5;33m",
    version: "\x1b[38;5;244m",
    header_name: "\x1b[38;5;136m",
    header_value: "\x1b[38;5;244m",
    status_2xx: "\x1b[38;5;64;1m",
    status_3xx: "\x1b[38;5;136;1m",
    status_4xx: "\x1b[38;5;160;1m",
    status_5xx: "\x1b[38;5;160;1;7m",
    status_other: "\x1b[38;5;244;1m",
    note: "\x1b[38;5;244m",
};
