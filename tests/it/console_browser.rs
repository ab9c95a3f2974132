//! The console in a real browser: headless Chromium driven through chromedriver (fantoccini)
//! against the server on a real socket. Sign in, add a property, launch New Listing, pause and
//! resume it, watch its steps turn green live (no reload), download the brochure, and fail to see
//! the run as another team's agent.
//!
//! Chromium and chromedriver are required (`scripts/test` installs them): a missing one fails
//! the test with what to install, never skips it. `AURA_SCREENSHOTS=DIR` saves the main pages
//! there as PNGs (how `docs/screenshots/` is made).

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use crate::console::{fixture, PASSWORD};
use crate::packages::{stop, worker};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const WAIT: Duration = Duration::from_secs(30);

fn require(path: &str) {
    assert!(
        Path::new(path).exists(),
        "{path} is missing: the console's browser test needs Debian's chromium and chromium-driver \
         (`apt-get install -y chromium chromium-driver`; scripts/test installs them when missing)"
    );
}

/// chromedriver on a free port, killed when dropped.
async fn chromedriver() -> (tokio::process::Child, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = tokio::process::Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start chromedriver");
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return (child, format!("http://127.0.0.1:{port}"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not listen on port {port}");
}

async fn browser(driver: &str) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({ "binary": CHROMIUM, "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1360,1000"] }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(driver)
        .await
        .expect("a chromium session through chromedriver")
}

async fn sign_in(c: &Client, base: &str, email: &str) {
    c.goto(&format!("{base}/console/login")).await.unwrap();
    let form = c.form(Locator::Css("form[action='/console/login']")).await.unwrap();
    form.set_by_name("email", email)
        .await
        .unwrap()
        .set_by_name("password", PASSWORD)
        .await
        .unwrap()
        .submit()
        .await
        .unwrap();
    c.wait().at_most(WAIT).for_element(Locator::Css("table.runs")).await.expect("the runs page after signing in");
}

async fn sign_out(c: &Client) {
    c.find(Locator::Css("form[action='/console/logout'] button")).await.unwrap().click().await.unwrap();
    c.wait().at_most(WAIT).for_element(Locator::Css("form[action='/console/login']")).await.unwrap();
}

async fn screenshot(c: &Client, name: &str) {
    if let Ok(dir) = std::env::var("AURA_SCREENSHOTS") {
        let png = c.screenshot().await.unwrap();
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(Path::new(&dir).join(format!("{name}.png")), png).unwrap();
    }
}

/// The text of the run's status badge (read in the page: htmx may swap the element at any time).
async fn run_status(c: &Client) -> String {
    let text = c.execute("return document.getElementById('run-status')?.textContent ?? ''", vec![]).await.unwrap();
    text.as_str().unwrap_or_default().trim().to_string()
}

/// Clicks the button with `id` as it is now: htmx replaces the live part on every stream event,
/// so an element found a moment earlier may already be gone.
async fn press(c: &Client, id: &str) {
    let found = c
        .execute("const b = document.getElementById(arguments[0]); if (b) b.click(); return !!b", vec![json!(id)])
        .await
        .unwrap();
    assert_eq!(found, json!(true), "no #{id} on the page");
}

async fn wait_status(c: &Client, status: &str) {
    for _ in 0..300 {
        if run_status(c).await == status {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the run never showed {status}: {}", c.source().await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_launches_a_listing_and_watches_it_live() {
    require(CHROMIUM);
    require(CHROMEDRIVER);
    crate::support::with_stores(crate::support::Backend::Sqlite, |stores| async move {
        let app = fixture(stores, true).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let halt = tokio_util::sync::CancellationToken::new();
        let server = tokio::spawn(api::server::serve(listener, app.router.clone(), Default::default(), halt.clone()));
        let (_driver, driver_url) = chromedriver().await;
        let c = browser(&driver_url).await;

        sign_in(&c, &base, "agent@a.test").await;
        // A property, through the form.
        c.goto(&format!("{base}/console/properties")).await.unwrap();
        let form = c.form(Locator::Css("form[action='/console/properties']")).await.unwrap();
        for (name, value) in [
            ("reference", "BR-1"),
            ("address", "Dubai Marina, Marina Gate"),
            ("property_type", "apartment"),
            ("bedrooms", "2"),
            ("bathrooms", "2"),
            ("area_sqft", "1250"),
            ("asking_price", "2400000"),
            ("permit_number", "7112345678"),
        ] {
            form.set_by_name(name, value).await.unwrap();
        }
        form.submit().await.unwrap();
        c.wait()
            .at_most(WAIT)
            .for_element(Locator::XPath("//td/code[text()='BR-1']"))
            .await
            .expect("the new property listed");

        // Launch New Listing from the property's row; no worker runs yet, so it waits.
        c.find(Locator::Css("a[href='/console/launch/new_listing_package?property_id=BR-1']"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let price = c.wait().at_most(WAIT).for_element(Locator::Css("input[name='listing_price']")).await.unwrap();
        price.send_keys("2450000").await.unwrap();
        screenshot(&c, "launch").await;
        c.find(Locator::Id("launch")).await.unwrap().click().await.unwrap();
        c.wait().at_most(WAIT).for_element(Locator::Css("figure.dag svg")).await.expect("the run page");
        let url = c.current_url().await.unwrap();
        let id = url.path().strip_prefix("/console/runs/").unwrap().to_string();
        assert_eq!(run_status(&c).await, "pending");

        // Pause, then resume: the buttons swap the live part in place.
        tokio::time::sleep(Duration::from_millis(300)).await;
        c.execute("window.sameDocument = true", vec![]).await.unwrap();
        press(&c, "control-pause").await;
        wait_status(&c, "paused").await;
        let pause_disabled =
            c.execute("return document.getElementById('control-pause').disabled", vec![]).await.unwrap();
        assert_eq!(pause_disabled, json!(true), "pause is disabled on a paused run");
        let w = worker(&app.rt, "browser");
        // Let htmx finish processing the swapped-in buttons (nothing streams while paused), so the
        // click goes through htmx rather than as a plain form post.
        tokio::time::sleep(Duration::from_millis(500)).await;
        press(&c, "control-resume").await;

        // The steps turn green from the event stream, without a reload.
        c.wait()
            .at_most(Duration::from_secs(45))
            .for_element(Locator::Css("g.node[data-step='final_review'][data-status='succeeded']"))
            .await
            .expect("every step succeeded, shown live");
        wait_status(&c, "completed").await;
        let same = c.execute("return window.sameDocument === true", vec![]).await.unwrap();
        assert_eq!(same, json!(true), "the page was updated in place, not reloaded");
        let green = c.find_all(Locator::Css("g.node[data-status='succeeded']")).await.unwrap().len();
        assert!(green >= 8, "{green} steps green");
        screenshot(&c, "execution").await;

        // The brochure downloads through the console with the session cookie: a PDF.
        let link =
            c.find(Locator::XPath("//a[@class='file' and text()='brochure.pdf']")).await.expect("a brochure link");
        let href = link.attr("href").await.unwrap().unwrap();
        let magic = c
            .execute_async(
                "const [href, done] = arguments; fetch(href).then(r => r.arrayBuffer())
                   .then(b => done(String.fromCharCode(...new Uint8Array(b.slice(0, 5)))), e => done('error: ' + e))",
                vec![json!(href)],
            )
            .await
            .unwrap();
        assert_eq!(magic, json!("%PDF-"), "{href}");

        c.goto(&format!("{base}/console/runs")).await.unwrap();
        screenshot(&c, "runs").await;
        assert!(c.source().await.unwrap().contains(&id));

        // The analytics overview draws its charts; a package shows its file.
        c.goto(&format!("{base}/console/analytics?period=7d")).await.unwrap();
        c.find(Locator::Css("figure.chart svg")).await.expect("a trend chart");
        screenshot(&c, "analytics").await;
        c.goto(&format!("{base}/console/packages/new_listing_package")).await.unwrap();
        let file = c.find(Locator::Css("#package-source")).await.expect("the package file");
        assert!(file.text().await.unwrap().contains("[[steps]]"));
        screenshot(&c, "package").await;

        // Another team's agent: not in their list, and the run's page is a 404.
        sign_out(&c).await;
        sign_in(&c, &base, "agent@b.test").await;
        assert!(!c.source().await.unwrap().contains(&id), "another team's run is not listed");
        c.goto(&format!("{base}/console/runs/{id}")).await.unwrap();
        let problem = c.find(Locator::Css("p.problem")).await.expect("an error page");
        assert_eq!(problem.attr("data-code").await.unwrap().as_deref(), Some("not_found"));
        assert!(c.find(Locator::Css("h1")).await.unwrap().text().await.unwrap().starts_with("404"));

        c.close().await.unwrap();
        stop(w).await;
        halt.cancel();
        server.await.unwrap();
    })
    .await;
}
