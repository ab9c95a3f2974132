//! Where an ad runs and what kind of asset it is. The channel decides which rules apply (the
//! DLD QR code on print, outdoor and social images; the Media Council permit on social), so it
//! parses from the loose strings agents and templates use ("instagram", "print:brochure", "x").

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A publishing channel. Parses from strings such as `portal`, `bayut`, `instagram`,
/// `social:linkedin`, `x`, `email`, `brochure`, `print:flyer`, `sms`, `billboard`; displays as
/// `kind` or `kind:variant` (`social:instagram`, `print:brochure`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    Portal,
    Social(SocialNetwork),
    Email,
    Print(PrintFormat),
    Sms,
    Outdoor,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SocialNetwork {
    Instagram,
    Facebook,
    LinkedIn,
    X,
    /// A social channel not named more precisely.
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrintFormat {
    Postcard,
    Brochure,
    Flyer,
    /// Printed matter not named more precisely.
    Other,
}

/// What the checked asset is: plain text (a caption, an e-mail body, an SMS) or a visual.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Asset {
    Text,
    Image,
    Video,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown channel `{0}`: use portal, social (instagram, facebook, linkedin, x), email, \
     print (postcard, brochure, flyer), sms or outdoor"
)]
pub struct UnknownChannel(pub String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown asset `{0}`: use text, image or video")]
pub struct UnknownAsset(pub String);

impl Channel {
    /// The channel family: `portal`, `social`, `email`, `print`, `sms` or `outdoor`.
    pub fn kind(self) -> &'static str {
        match self {
            Channel::Portal => "portal",
            Channel::Social(_) => "social",
            Channel::Email => "email",
            Channel::Print(_) => "print",
            Channel::Sms => "sms",
            Channel::Outdoor => "outdoor",
        }
    }

    pub fn is_social(self) -> bool {
        matches!(self, Channel::Social(_))
    }

    /// Physical media: print and outdoor are always visual assets.
    pub fn is_physical(self) -> bool {
        matches!(self, Channel::Print(_) | Channel::Outdoor)
    }
}

impl Asset {
    /// The usual asset on a channel: print, outdoor and Instagram are images, the rest text.
    pub fn default_for(channel: Channel) -> Asset {
        match channel {
            Channel::Print(_) | Channel::Outdoor | Channel::Social(SocialNetwork::Instagram) => Asset::Image,
            _ => Asset::Text,
        }
    }

    pub fn is_visual(self) -> bool {
        matches!(self, Asset::Image | Asset::Video)
    }
}

fn social(name: &str) -> Option<SocialNetwork> {
    Some(match name {
        "instagram" | "ig" | "insta" => SocialNetwork::Instagram,
        "facebook" | "fb" | "meta" => SocialNetwork::Facebook,
        "linkedin" => SocialNetwork::LinkedIn,
        "x" | "twitter" => SocialNetwork::X,
        "social" | "social_media" | "socialmedia" | "other" => SocialNetwork::Other,
        _ => return None,
    })
}

fn print(name: &str) -> Option<PrintFormat> {
    Some(match name {
        "postcard" | "postcards" => PrintFormat::Postcard,
        "brochure" | "brochures" => PrintFormat::Brochure,
        "flyer" | "flyers" | "flier" | "leaflet" => PrintFormat::Flyer,
        "print" | "other" => PrintFormat::Other,
        _ => return None,
    })
}

impl FromStr for Channel {
    type Err = UnknownChannel;

    fn from_str(s: &str) -> Result<Channel, UnknownChannel> {
        let norm = s.trim().to_lowercase().replace([' ', '-'], "_");
        let (family, variant) = match norm.split_once([':', '/', '.']) {
            Some((f, v)) => (f, Some(v)),
            None => (norm.as_str(), None),
        };
        let channel = match (family, variant) {
            ("social" | "social_media", Some(v)) => social(v).map(Channel::Social),
            ("print", Some(v)) => print(v).map(Channel::Print),
            (_, Some(_)) => None,
            ("portal" | "property_portal" | "propertyfinder" | "property_finder" | "bayut" | "dubizzle", None) => {
                Some(Channel::Portal)
            }
            ("email" | "e_mail" | "mail" | "newsletter", None) => Some(Channel::Email),
            ("sms" | "text_message", None) => Some(Channel::Sms),
            ("outdoor" | "billboard" | "signboard" | "ooh", None) => Some(Channel::Outdoor),
            (f, None) => social(f).map(Channel::Social).or_else(|| print(f).map(Channel::Print)),
        };
        channel.ok_or_else(|| UnknownChannel(s.to_string()))
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let variant = match self {
            Channel::Social(SocialNetwork::Instagram) => Some("instagram"),
            Channel::Social(SocialNetwork::Facebook) => Some("facebook"),
            Channel::Social(SocialNetwork::LinkedIn) => Some("linkedin"),
            Channel::Social(SocialNetwork::X) => Some("x"),
            Channel::Print(PrintFormat::Postcard) => Some("postcard"),
            Channel::Print(PrintFormat::Brochure) => Some("brochure"),
            Channel::Print(PrintFormat::Flyer) => Some("flyer"),
            _ => None,
        };
        match variant {
            Some(v) => write!(f, "{}:{v}", self.kind()),
            None => f.write_str(self.kind()),
        }
    }
}

impl Serialize for Channel {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Channel {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Channel, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl FromStr for Asset {
    type Err = UnknownAsset;

    fn from_str(s: &str) -> Result<Asset, UnknownAsset> {
        match s.trim().to_lowercase().as_str() {
            "text" | "caption" | "copy" => Ok(Asset::Text),
            "image" | "photo" | "picture" | "graphic" | "artwork" => Ok(Asset::Image),
            "video" | "reel" | "story" | "audiovisual" => Ok(Asset::Video),
            _ => Err(UnknownAsset(s.to_string())),
        }
    }
}

impl fmt::Display for Asset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Asset::Text => "text",
            Asset::Image => "image",
            Asset::Video => "video",
        })
    }
}
