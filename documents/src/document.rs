//! The document: pages in reading order, embedded images, metadata, and serialisation to PDF bytes.
//!
//! Pages are built independently and only turned into objects in [`Document::finish`], which is what
//! lets helpers add pages mid-way (table page breaks) and draw on earlier pages later ("Page N of M"
//! footers). Writing the file is `render`'s job.

use crate::{DocInfo, Image, ImageId, Page, PageSize};

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

    /// Serialises the document to PDF bytes (fonts embedded and subset). A document without pages gets one blank A4 page, since
    /// a PDF must have at least one.
    ///
    /// # Panics
    /// If a page draws an [`ImageId`] that did not come from this document.
    pub fn finish(mut self) -> Vec<u8> {
        if self.order.is_empty() {
            self.add_page(PageSize::A4);
        }
        for page in &self.pages {
            for op in page.ops() {
                if let crate::page::Op::Image { index, .. } = op {
                    assert!(
                        *index < self.images.len(),
                        "page draws image {index}, but the document has {} images",
                        self.images.len()
                    );
                }
            }
        }
        crate::render::render(&self.info, self.order.iter().map(|&i| &self.pages[i]), &self.images)
    }
}
