"""The docs site and the report, opened in a real browser (headless Chromium).

The session's demo warehouse has its docs site in its target folder; the test serves it on a
free loopback port and checks what a reader sees: the overview with the star schema picture,
the lineage graph drawn in the layer colours, each gold model's page with its columns, and the
report. Screenshots go to target/screenshots/ (or $SCREENSHOT_DIR) to look at.

Needs chromium and chromedriver (Debian: apt-get install chromium chromium-driver; .ci/run
installs them). Without them the tests are skipped, saying so.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.built_project import BuiltProject
from support.project import PROJECT

from report.build import write_report

CHROMIUM = next(
    (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None
)
CHROMEDRIVER = shutil.which("chromedriver")
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", PROJECT / "target" / "screenshots"))
GOLD = ["dim_customers", "dim_accounts", "dim_dates", "fact_transactions"]
# node_color of each layer in dbt_project.yml, as the graph's canvas draws them (RGB)
LAYER_COLOURS = {
    "bronze": (0xCD, 0x7F, 0x32),
    "silver": (0xA8, 0xA9, 0xAD),
    "gold": (0xD4, 0xAF, 0x37),
    "seeds": (0x6B, 0x8E, 0x23),
}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.dbt,  # the site and the report come from the session's demo warehouse
    pytest.mark.skipif(
        CHROMIUM is None or CHROMEDRIVER is None,
        reason="browser tests need chromium and chromedriver on PATH "
        "(apt-get install chromium chromium-driver); skipped on this machine",
    ),
]

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


@pytest.fixture(scope="module")
def site(built_project: BuiltProject) -> Iterator[str]:
    """The docs site (dbt docs generate's target folder) on http://127.0.0.1:<free port>/."""
    handler = functools.partial(_QuietHandler, directory=str(built_project.target))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
        "--window-size=1400,1000",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        yield driver
    finally:
        driver.quit()


def _wait(driver: Any, condition: str, what: str, timeout: float = 30) -> Any:
    """Wait until the JavaScript expression `condition` is truthy; fail saying `what`."""
    return WebDriverWait(driver, timeout).until(
        lambda d: d.execute_script(f"return {condition}"), message=f"timed out waiting: {what}"
    )


def test_overview_explains_the_flow_and_shows_the_star(browser: Any, site: str) -> None:
    browser.get(f"{site}/index.html#!/overview")
    _wait(browser, "document.body.innerText.includes('The star schema')", "the overview page")
    text = browser.execute_script("return document.body.innerText")
    for heading in ("The flow", "The layers", "Metrics", "Who uses it"):
        assert heading in text
    _wait(
        browser,
        "Array.from(document.images).some(i => i.src.endsWith('assets/star_schema.svg') "
        "&& i.complete && i.naturalWidth > 400)",
        "the star schema picture to load",
    )
    browser.execute_script(
        "Array.from(document.images).find(i => i.src.endsWith('star_schema.svg')).scrollIntoView()"
    )
    browser.save_screenshot(str(SCREENSHOTS / "docs_overview_star_schema.png"))


def test_lineage_graph_draws_every_layer_in_its_colour(browser: Any, site: str) -> None:
    browser.get("about:blank")
    browser.get(f"{site}/index.html#!/overview")
    _open_graph(browser)
    # Cytoscape draws on canvases: count the pixels of each layer's node colour.
    counts = WebDriverWait(browser, 30).until(
        lambda d: _colour_counts(d) if min(_colour_counts(d).values()) > 50 else None,
        message="the graph never showed every layer colour",
    )
    browser.save_screenshot(str(SCREENSHOTS / "docs_lineage_graph.png"))
    assert all(count > 50 for count in counts.values()), counts
    # The graph of one model: its upstream layers, and the metrics and exposures it feeds.
    browser.get("about:blank")
    browser.get(f"{site}/index.html#!/model/model.dms_warehouse.fact_transactions")
    _open_graph(browser)
    # On a model page the graph opens as a side panel of direct neighbours; expand it to
    # the model's whole lineage (+fact_transactions+).
    browser.find_element(By.CSS_SELECTOR, '[ng-click="showExpanded()"]').click()
    _wait(
        browser,
        "Array.from(document.querySelectorAll('#cy canvas')).some(c => c.width > 1000)",
        "the expanded lineage graph",
    )
    WebDriverWait(browser, 30).until(
        lambda d: min(_colour_counts(d).values()) > 20,
        message="the fact_transactions graph never showed every layer colour",
    )
    browser.save_screenshot(str(SCREENSHOTS / "docs_lineage_fact_transactions.png"))


def _open_graph(browser: Any) -> None:
    _wait(browser, "document.querySelector('[ng-click=\"onLauncherClick()\"]')", "graph button")
    browser.find_element(By.CSS_SELECTOR, '[ng-click="onLauncherClick()"]').click()
    _wait(
        browser,
        "Array.from(document.querySelectorAll('#cy canvas')).some(c => c.width > 300)",
        "the lineage graph canvas",
    )


def _colour_counts(driver: Any) -> dict[str, int]:
    counts: dict[str, int] = driver.execute_script(
        """
        const colours = arguments[0], counts = {};
        for (const name in colours) counts[name] = 0;
        for (const canvas of document.querySelectorAll('#cy canvas')) {
          if (!canvas.width) continue;
          const data = canvas.getContext('2d')
            .getImageData(0, 0, canvas.width, canvas.height).data;
          for (let i = 0; i < data.length; i += 4) {
            if (data[i + 3] < 200) continue;
            for (const name in colours) {
              const [r, g, b] = colours[name];
              if (Math.abs(data[i] - r) <= 2 && Math.abs(data[i + 1] - g) <= 2
                  && Math.abs(data[i + 2] - b) <= 2) counts[name]++;
            }
          }
        }
        return counts;
        """,
        LAYER_COLOURS,
    )
    return counts


@pytest.mark.parametrize("model", GOLD)
def test_gold_model_page_lists_its_columns(
    browser: Any, site: str, built_project: BuiltProject, model: str
) -> None:
    catalog = json.loads((built_project.target / "catalog.json").read_text())
    columns = [c.lower() for c in catalog["nodes"][f"model.dms_warehouse.{model}"]["columns"]]
    assert columns
    browser.get("about:blank")  # a fresh page: no graph overlay left from another test
    browser.get(f"{site}/index.html#!/model/model.dms_warehouse.{model}")
    shown = _wait(
        browser,
        "(() => { const t = Array.from(document.querySelectorAll('table'))"
        ".find(t => t.innerText.includes('COLUMN') || t.innerText.includes('Column'));"
        " return t && t.rows.length > 1 ? t.innerText.toLowerCase() : null; })()",
        f"the columns table of {model}",
    )
    missing = [c for c in columns if c not in shown]
    assert not missing, f"{model}: columns not shown on its page: {missing}"
    header = browser.execute_script("return document.body.innerText")
    assert model in header
    # The table is on screen, not hidden under something else.
    visible = browser.execute_script(
        "const t = Array.from(document.querySelectorAll('table'))"
        ".find(t => t.innerText.includes('COLUMN') || t.innerText.includes('Column'));"
        "const rows = Array.from(t.rows).filter(r => r.offsetHeight > 0);"
        "const row = rows[Math.floor(rows.length / 2)];"
        "row.scrollIntoView({block: 'center'});"
        "const r = row.getBoundingClientRect();"
        "const e = document.elementFromPoint(r.left + 20, r.top + r.height / 2);"
        "return t.contains(e);"
    )
    assert visible, f"{model}: the columns table is covered or off screen"
    browser.save_screenshot(str(SCREENSHOTS / f"docs_{model}.png"))


def test_report_renders_its_charts(
    browser: Any, built_project: BuiltProject, tmp_path: Path
) -> None:
    out = write_report(built_project.database, tmp_path / "report.html")
    browser.set_window_size(1200, 1000)
    browser.get(out.as_uri())
    for figure in ("customers", "channels", "accounts", "rejects"):
        bars = browser.execute_script(
            f"return document.querySelectorAll('#chart-{figure} svg rect.bar').length"
        )
        assert bars > 0, f"chart {figure} has no bars"
        box = browser.execute_script(
            f"const r = document.querySelector('#chart-{figure} svg').getBoundingClientRect();"
            " return [r.width, r.height];"
        )
        assert box[0] > 300 and box[1] > 100, (figure, box)
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1200, min(int(height) + 150, 8000))
    browser.save_screenshot(str(SCREENSHOTS / "report.png"))
    browser.set_window_size(1400, 1000)


def test_single_file_static_page_opens_without_a_server(
    browser: Any, built_project: BuiltProject
) -> None:
    """target/static_index.html (dbt docs generate --static) works from disk, as handed out."""
    page = built_project.target / "static_index.html"
    assert page.exists(), "dbt docs generate --static wrote no static_index.html"
    browser.get("about:blank")
    browser.get(page.as_uri() + "#!/model/model.dms_warehouse.fact_transactions")
    shown = _wait(
        browser,
        "(() => { const t = Array.from(document.querySelectorAll('table'))"
        ".find(t => t.innerText.includes('COLUMN') || t.innerText.includes('Column'));"
        " return t && t.rows.length > 1 ? t.innerText.toLowerCase() : null; })()",
        "the columns table in the static page",
    )
    assert "signed_amount" in shown and "customer_key" in shown
    browser.get(page.as_uri() + "#!/overview")
    _wait(
        browser,
        "Array.from(document.images).some(i => i.src.endsWith('assets/star_schema.svg') "
        "&& i.complete && i.naturalWidth > 400)",
        "the star schema picture beside the static page",
    )
    browser.save_screenshot(str(SCREENSHOTS / "docs_static_page.png"))
