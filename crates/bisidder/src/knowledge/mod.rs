//! The knowledge base (SPEC C10): plain-language guides in Markdown, compiled into the
//! binary from `content/viden/<lang>/<slug>.md` and rendered on the server. Public: the
//! children's rights page is linked from the person-facing pages, the guides from the
//! request forms.

use crate::{
    error::{AppError, AppResult},
    web::{i18n::Lang, Ctx, Html},
};
use askama::Template;
use axum::{routing::get, Router};

/// The guides: slug and Markdown in Danish and English.
pub const GUIDES: [(&str, &str, &str); 4] = [
    (
        "rettigheder",
        include_str!("../../content/viden/da/rettigheder.md"),
        include_str!("../../content/viden/en/rettigheder.md"),
    ),
    (
        "sagsbehandler",
        include_str!("../../content/viden/da/sagsbehandler.md"),
        include_str!("../../content/viden/en/sagsbehandler.md"),
    ),
    (
        "fagpersoner",
        include_str!("../../content/viden/da/fagpersoner.md"),
        include_str!("../../content/viden/en/fagpersoner.md"),
    ),
    (
        "rollen",
        include_str!("../../content/viden/da/rollen.md"),
        include_str!("../../content/viden/en/rollen.md"),
    ),
];

/// The Markdown of guide `slug` in `lang`.
pub fn markdown(slug: &str, lang: Lang) -> Option<&'static str> {
    GUIDES
        .iter()
        .find(|(s, _, _)| *s == slug)
        .map(|(_, da, en)| if lang == Lang::Da { *da } else { *en })
}

/// The guide's title: its first level-one heading.
pub fn title(md: &str) -> &str {
    md.lines()
        .find_map(|l| l.strip_prefix("# "))
        .unwrap_or("")
        .trim()
}

/// Markdown to HTML, without its title (the page's own h1). Raw HTML in the Markdown is
/// shown as text.
pub fn to_html(md: &str) -> String {
    use pulldown_cmark::{html, Event, Parser};
    let body = md
        .lines()
        .skip_while(|l| !l.starts_with("# "))
        .skip(1)
        .collect::<Vec<_>>()
        .join("\n");
    let events = Parser::new(&body).map(|e| match e {
        Event::Html(h) | Event::InlineHtml(h) => Event::Text(h),
        e => e,
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    out
}

pub fn routes() -> Router<crate::state::AppState> {
    Router::new()
        .route("/viden", get(index))
        .route(
            "/viden/rettigheder",
            get(|ctx: Ctx| page(ctx, "rettigheder")),
        )
        .route(
            "/viden/sagsbehandler",
            get(|ctx: Ctx| page(ctx, "sagsbehandler")),
        )
        .route(
            "/viden/fagpersoner",
            get(|ctx: Ctx| page(ctx, "fagpersoner")),
        )
        .route("/viden/rollen", get(|ctx: Ctx| page(ctx, "rollen")))
}

#[derive(Template)]
#[template(path = "knowledge/index.html")]
pub struct IndexPage {
    ctx: Ctx,
    guides: Vec<(&'static str, String)>,
}

async fn index(ctx: Ctx) -> Html<IndexPage> {
    let guides = GUIDES
        .iter()
        .filter_map(|(slug, _, _)| Some((*slug, title(markdown(slug, ctx.lang)?).to_owned())))
        .collect();
    Html(IndexPage { ctx, guides })
}

#[derive(Template)]
#[template(path = "knowledge/page.html")]
pub struct GuidePage {
    ctx: Ctx,
    title: String,
    html: String,
}

async fn page(ctx: Ctx, slug: &'static str) -> AppResult<Html<GuidePage>> {
    let md = markdown(slug, ctx.lang).ok_or(AppError::NotFound)?;
    Ok(Html(GuidePage {
        title: title(md).to_owned(),
        html: to_html(md),
        ctx,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_guide_exists_in_both_languages_with_a_title_and_the_same_sections() {
        for (slug, da, en) in GUIDES {
            assert!(!title(da).is_empty() && !title(en).is_empty(), "{slug}");
            let sections = |md: &str| md.lines().filter(|l| l.starts_with("## ")).count();
            assert_eq!(
                sections(da),
                sections(en),
                "{slug}: the translations differ"
            );
            let html = to_html(da);
            assert!(html.contains("<h2>") && !html.contains("<h1>"), "{slug}");
        }
        // The children's rights name BørneTelefonen's number in both languages.
        for lang in [Lang::Da, Lang::En] {
            assert!(markdown("rettigheder", lang).unwrap().contains("116 111"));
        }
    }
}
