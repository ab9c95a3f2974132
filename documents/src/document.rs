//! The document: pages in reading order, embedded images, metadata, and serialisation to PDF bytes.
//!
//! Pages are built independently and only turned into objects in [`Document::finish`], which is what
//! lets helpers add pages mid-way (table page breaks) and draw on earlier pages later ("Page N of M"
//! footers). Object layout: 1 catalog, 2 page tree, 3 info, 4 shared resources, then fonts, images, and
//! a page object plus a content stream per page.

use crate::pdf::syntax::{num, text_string};
use crate::pdf::writer::Writer;
use crate::{DocInfo, Font, Image, ImageId, Page, PageSize};

/// A page of a [`Document`]; only valid for the document that returned it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PageId(usize);

/// A PDF being built in memory.
#[derive(Debug, Clone)]
pub struct Document {
    info: DocInfo,
    /// Pages in creation order; [`PageId`] indexes this.
    pages: Vec<Page>,
    /// Reading order, as indexes into `pages`.
    order: Vec<usize>,
    images: Vec<Image>,
}

const CATALOG: usize = 1;
const PAGE_TREE: usize = 2;
const INFO: usize = 3;
const RESOURCES: usize = 4;
const FIRST_FREE: usize = 5;

impl Document {
    /// An empty document with the given metadata.
    pub fn new(info: DocInfo) -> Document {
        Document { info, pages: Vec::new(), order: Vec::new(), images: Vec::new() }
    }

    /// Appends a page of `size` at the end of the document.
    pub fn add_page(&mut self, size: PageSize) -> PageId {
        self.pages.push(Page::new(size));
        self.order.push(self.pages.len() - 1);
        PageId(self.pages.len() - 1)
    }

    /// Inserts a page of `size` right after page `after` in reading order.
    ///
    /// # Panics
    /// If `after` is not a page of this document.
    pub fn insert_page_after(&mut self, after: PageId, size: PageSize) -> PageId {
        let position = self.order.iter().position(|&p| p == after.0).expect("PageId from another Document");
        self.pages.push(Page::new(size));
        self.order.insert(position + 1, self.pages.len() - 1);
        PageId(self.pages.len() - 1)
    }

    /// The page `id`, to draw on.
    ///
    /// # Panics
    /// If `id` is not a page of this document.
    pub fn page(&mut self, id: PageId) -> &mut Page {
        &mut self.pages[id.0]
    }

    /// The size page `id` was created with.
    pub fn page_size(&self, id: PageId) -> PageSize {
        self.pages[id.0].size()
    }

    /// All pages in reading order.
    pub fn page_ids(&self) -> Vec<PageId> {
        self.order.iter().map(|&i| PageId(i)).collect()
    }

    /// The number of pages so far.
    pub fn page_count(&self) -> usize {
        self.order.len()
    }

    /// Stores `image` once; draw it on any page with [`Page::image`].
    pub fn add_image(&mut self, image: Image) -> ImageId {
        self.images.push(image);
        ImageId(self.images.len() - 1)
    }

    /// Serialises the document to PDF 1.4 bytes. A document without pages gets one blank A4 page, since
    /// a PDF must have at least one.
    ///
    /// # Panics
    /// If a page draws an [`ImageId`] that did not come from this document.
    pub fn finish(mut self) -> Vec<u8> {
        if self.order.is_empty() {
            self.add_page(PageSize::A4);
        }
        for page in &self.pages {
            if let Some(bad) = page.image_indexes().iter().find(|&&i| i >= self.images.len()) {
                panic!("page draws image {bad}, but the document has {} images", self.images.len());
            }
        }
        let fonts: Vec<Font> = Font::ALL.into_iter().filter(|&f| self.pages.iter().any(|p| p.uses_font(f))).collect();
        let font_ids: Vec<usize> = (0..fonts.len()).map(|i| FIRST_FREE + i).collect();
        let image_ids: Vec<usize> = (0..self.images.len()).map(|i| FIRST_FREE + fonts.len() + i).collect();
        let first_page = FIRST_FREE + fonts.len() + self.images.len();
        // Page at reading position i is object first_page + 2i, its content stream the next object.
        let page_obj = |position: usize| first_page + 2 * position;
        let total = first_page + 2 * self.order.len() - 1;
        let mut w = Writer::new(total);

        w.object(CATALOG, format!("<< /Type /Catalog /Pages {PAGE_TREE} 0 R >>").as_bytes());
        let kids: Vec<String> = (0..self.order.len()).map(|i| format!("{} 0 R", page_obj(i))).collect();
        let tree = format!("<< /Type /Pages /Kids [{}] /Count {} >>", kids.join(" "), self.order.len());
        w.object(PAGE_TREE, tree.as_bytes());
        w.object(INFO, &self.info_dict());
        w.object(RESOURCES, resources_dict(&fonts, &font_ids, &image_ids).as_bytes());
        for (font, id) in fonts.iter().zip(&font_ids) {
            let dict =
                format!("<< /Type /Font /Subtype /Type1 /BaseFont /{} /Encoding /WinAnsiEncoding >>", font.base_name());
            w.object(*id, dict.as_bytes());
        }
        for (image, id) in self.images.iter().zip(&image_ids) {
            let dict = format!(
                "/Type /XObject /Subtype /Image /Width {} /Height {} /ColorSpace /DeviceRGB /BitsPerComponent 8",
                image.width(),
                image.height()
            );
            w.stream(*id, &dict, image.data());
        }
        for (position, &index) in self.order.iter().enumerate() {
            let page = &self.pages[index];
            let id = page_obj(position);
            w.object(id, page_dict(page.size(), id + 1).as_bytes());
            w.stream(id + 1, "", page.content());
        }
        w.finish(CATALOG, INFO)
    }

    fn info_dict(&self) -> Vec<u8> {
        let mut d = b"<< /Title ".to_vec();
        d.extend(text_string(&self.info.title));
        d.extend_from_slice(b" /Author ");
        d.extend(text_string(&self.info.author));
        if !self.info.subject.is_empty() {
            d.extend_from_slice(b" /Subject ");
            d.extend(text_string(&self.info.subject));
        }
        d.extend_from_slice(b" /Producer ");
        d.extend(text_string(&self.info.producer));
        d.extend_from_slice(b" /CreationDate ");
        d.extend(text_string(&self.info.creation_date.to_pdf_string()));
        d.extend_from_slice(b" >>");
        d
    }
}

/// The one resource dictionary every page shares: all used fonts and all images.
fn resources_dict(fonts: &[Font], font_ids: &[usize], image_ids: &[usize]) -> String {
    let font_entries: Vec<String> =
        fonts.iter().zip(font_ids).map(|(f, id)| format!("/F{} {id} 0 R", f.index())).collect();
    let image_entries: Vec<String> = image_ids.iter().enumerate().map(|(i, id)| format!("/Im{i} {id} 0 R")).collect();
    format!(
        "<< /ProcSet [/PDF /Text /ImageC] /Font << {} >> /XObject << {} >> >>",
        font_entries.join(" "),
        image_entries.join(" ")
    )
}

/// A page object: MediaBox covers trim plus bleed; with a bleed, TrimBox and BleedBox are set too.
fn page_dict(size: PageSize, contents: usize) -> String {
    let (mw, mh) = (num(size.media_width()), num(size.media_height()));
    let mut boxes = format!("/MediaBox [0 0 {mw} {mh}]");
    if size.bleed > 0.0 {
        let b = size.bleed;
        boxes.push_str(&format!(
            " /TrimBox [{} {} {} {}] /BleedBox [0 0 {mw} {mh}]",
            num(b),
            num(b),
            num(b + size.width),
            num(b + size.height)
        ));
    }
    format!("<< /Type /Page /Parent {PAGE_TREE} 0 R {boxes} /Resources {RESOURCES} 0 R /Contents {contents} 0 R >>")
}
