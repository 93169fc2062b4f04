#!/usr/bin/python3
"""test_workbench: the workbench in a real browser (Chromium, headless, driven
by Selenium through chromedriver). Opens the page, chooses the baseline, sees
the gap chart drawn, changes foster recruitment, runs, sees the comparison,
saves the scenario and downloads the CSV files; runs the back-test panel
and sees its coverage; then the saved scenario must
pass `carecap check`, and `carecap compare` with it and the same seed must
write the same comparison.csv, byte for byte, as the page's run. The same
for a region (config/d2n2.cfg): its totals and a council's figures, region
levers and a region scenario, and compare's comparison.csv of the region.

Exit 77 (skipped) only when Chromium, chromedriver or Selenium is absent.
SCREENSHOTS=DIR keeps a screenshot of each step in DIR (docs/img/ has them)."""
import glob
import os
import shutil
import subprocess
import sys
import time

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError:
    print("SKIPPED: python3-selenium is not installed (bash scripts/deps.sh --test installs it)")
    sys.exit(77)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serveutil import CARECAP, Checks, Server  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver") or ("/usr/bin/chromedriver" if os.path.exists("/usr/bin/chromedriver") else None)
if not CHROMIUM or not DRIVER:
    print("SKIPPED: chromium or chromium-driver is not installed (bash scripts/deps.sh --test installs them)")
    sys.exit(77)

REPS, YEARS, SEED = 60, 4, 3
RREPS, RYEARS = 12, 2  # the region: four councils in one event loop
c = Checks()
srv = Server("-j", "2")
shots = os.environ.get("SCREENSHOTS")
dl = os.path.join(srv.dir, "downloads")
os.makedirs(dl)
profile = os.path.join(srv.dir, "chromium-profile")
opts = webdriver.ChromeOptions()
opts.binary_location = CHROMIUM
for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
          "--disable-background-networking", "--disable-component-update", "--disable-sync",
          "--disable-dev-shm-usage", "--window-size=1280,1000", "--lang=en-GB", "--user-data-dir=" + profile]:
    opts.add_argument(a)
opts.add_experimental_option("prefs", {"download.default_directory": dl, "download.prompt_for_download": False})
driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": dl})
wait = WebDriverWait(driver, 120)


def shot(name, element=None):
    if not shots:
        return
    os.makedirs(shots, exist_ok=True)
    path = os.path.join(shots, name + ".png")
    if element is not None:
        driver.execute_script("arguments[0].scrollIntoView({block: 'start'})", element)
        time.sleep(0.2)
    driver.save_screenshot(path)


def d_is_visible(element_id):
    return driver.find_element(By.ID, element_id).is_displayed()


def wait_file(pattern, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        got = [f for f in glob.glob(os.path.join(dl, pattern)) if not f.endswith(".crdownload")]
        if got:
            return got[0]
        time.sleep(0.2)
    return None


saved = csv = rsaved = rcsv = None
try:
    driver.get(srv.url)
    wait.until(lambda d: len(Select(d.find_element(By.ID, "config")).options) > 0)
    c.ok(driver.title.startswith("carecap workbench"), "the page's title")
    # every form control has a label
    unlabelled = driver.execute_script(
        "return [...document.querySelectorAll('input, select')].filter(e => !e.labels || !e.labels.length)"
        ".map(e => e.id)")
    c.ok(unlabelled == [], f"controls without a label: {unlabelled}")
    Select(driver.find_element(By.ID, "config")).select_by_value("nottinghamshire")
    driver.find_element(By.CSS_SELECTOR, "details.settings summary").click()
    for field, value in (("reps", REPS), ("years", YEARS), ("seed", SEED)):
        e = driver.find_element(By.ID, field)
        e.clear()
        e.send_keys(str(value))
    shot("1-choose-baseline")
    # keyboard: the button is reached and pressed with the keyboard
    driver.find_element(By.ID, "show-baseline").send_keys("\n")
    wait.until(lambda d: d.find_element(By.ID, "baseline-results").is_displayed())
    points = driver.execute_script(
        "const ch = Chart.getChart('gap-chart'); return ch ? ch.data.datasets[2].data.length : 0")
    c.ok(points == 12 * YEARS + 1, f"the gap chart has {points} points (expected {12 * YEARS + 1})")
    drawn = driver.execute_script(
        "const cv = document.getElementById('gap-chart'); const x = cv.getContext('2d')"
        ".getImageData(0, 0, cv.width, cv.height).data; let n = 0;"
        "for (let i = 3; i < x.length; i += 4) if (x[i]) n++; return n")
    c.ok(drawn > 1000, f"the gap chart's canvas is drawn ({drawn} pixels)")
    rows = driver.find_elements(By.CSS_SELECTOR, "#gap-table tbody tr")
    c.ok(len(rows) == YEARS + 1, f"the gap table beside the chart has {len(rows)} rows")
    shot("2-baseline", driver.find_element(By.ID, "h-baseline"))
    shot("3-baseline-charts", driver.find_element(By.ID, "h-gap"))

    # the back-test panel: how well the same model, started in 2019, forecast the published years
    c.ok(d_is_visible("s-backtest"), "a baseline with a back-test shows the back-test panel")
    driver.find_element(By.ID, "run-backtest").click()
    wait.until(lambda d: d.find_element(By.ID, "bt-results").is_displayed())
    cov = [[td.text for td in tr.find_elements(By.CSS_SELECTOR, "th, td")]
           for tr in driver.find_elements(By.CSS_SELECTOR, "#bt-coverage tbody tr")]
    c.ok(len(cov) == 2 and " of " in cov[0][1] and cov[0][2].endswith("%") and cov[1][2].endswith("%"),
         f"the coverage with uncertainty on and off ({cov})")
    sentence = driver.find_element(By.ID, "bt-sentence").text
    c.ok("90% band held the published figure" in sentence, f"a plain sentence says what it means ({sentence})")
    nrows = len(driver.find_elements(By.CSS_SELECTOR, "#bt-table tbody tr"))
    c.ok(nrows > 40, f"every measure-year in a table ({nrows} rows)")
    pts = driver.execute_script("const ch = Chart.getChart('bt-chart'); return ch ? ch.data.datasets[3].data.length : 0")
    c.ok(pts == 3, f"the measure's chart has the published points of three years ({pts})")
    shot("3b-backtest", driver.find_element(By.ID, "h-backtest"))
    shot("3c-backtest-table", driver.find_element(By.ID, "h-bt-chart"))

    e = driver.find_element(By.ID, "extra_per_year")
    e.clear()
    e.send_keys("10")
    name = driver.find_element(By.ID, "scenario-name")
    name.clear()
    name.send_keys("ten more carers")
    # what the lever costs: a wrong value first, which gets check's message in the page's error summary
    driver.find_element(By.CSS_SELECTOR, "[data-lever=foster_recruitment] summary").click()
    costs = {"one_off_cost": "50000", "revenue_cost": "-150000", "ramp_up_months": "12"}
    for k, v in costs.items():
        driver.find_element(By.ID, "foster_recruitment-" + k).send_keys(v)
    shot("4-levers", driver.find_element(By.ID, "h-levers"))
    driver.find_element(By.ID, "run").click()
    wait.until(lambda d: d.find_element(By.ID, "errors").is_displayed())
    msgs = [li.text for li in driver.find_elements(By.CSS_SELECTOR, "#error-list li")]
    c.ok(len(msgs) == 1 and "levers[0].revenue_cost" in msgs[0] and "expected a number in [0," in msgs[0],
         f"a negative running cost gets check's message on the page ({msgs})")
    c.ok(driver.switch_to.active_element.get_attribute("id") == "errors", "the error summary takes the focus")
    shot("4b-error", driver.find_element(By.ID, "errors"))
    links = driver.find_elements(By.CSS_SELECTOR, "#error-list a")
    if links:
        links[0].click()
    focus = driver.switch_to.active_element.get_attribute("id")
    c.ok(len(links) == 1 and focus == "foster_recruitment-revenue_cost",
         f"the message links to the field it is about ({len(links)} links; focus on {focus})")
    e = driver.find_element(By.ID, "foster_recruitment-revenue_cost")
    e.clear()
    e.send_keys("150000")
    driver.find_element(By.ID, "run").click()
    try:
        WebDriverWait(driver, 10, poll_frequency=0.05).until(
            lambda d: d.find_element(By.ID, "progress").get_attribute("value") not in (None, "0"))
        shot("5-running", driver.find_element(By.ID, "bundled-fieldset"))
    except Exception:
        pass  # the run finished before the bar moved
    wait.until(lambda d: d.find_element(By.ID, "s-compare").is_displayed())
    rows = driver.find_elements(By.CSS_SELECTOR, "#compare-table tbody tr")
    c.ok(len(rows) >= 4, f"the comparison table has {len(rows)} rows")
    head = [th.text for th in driver.find_elements(By.CSS_SELECTOR, "#compare-table thead th")]
    c.ok(any(h.startswith("ten more carers") for h in head), f"the comparison names the scenario ({head})")
    pts = driver.execute_script("const ch = Chart.getChart('cmp-chart'); return ch ? ch.data.datasets.length : 0")
    c.ok(pts >= 3, "the comparison chart is drawn")
    shot("6-comparison", driver.find_element(By.ID, "h-compare"))
    # the business case: its table, and the cumulative net cost chart with its band and table
    c.ok(not d_is_visible("errors"), "the error summary goes once the run is right")
    biz = [[td.text for td in tr.find_elements(By.CSS_SELECTOR, "th, td")]
           for tr in driver.find_elements(By.CSS_SELECTOR, "#business-table tbody tr")]
    c.ok(len(biz) == 8 and "net present value" in biz[0][0] and "£" in biz[0][1]
         and biz[1][1].endswith("%") and biz[3][1].startswith("£"),
         f"the business case table appears ({biz})")
    nsets = driver.execute_script("const ch = Chart.getChart('netcost-chart'); return ch ? ch.data.datasets.length : 0")
    drawn = driver.execute_script(
        "const cv = document.getElementById('netcost-chart'); const x = cv.getContext('2d')"
        ".getImageData(0, 0, cv.width, cv.height).data; let n = 0;"
        "for (let i = 3; i < x.length; i += 4) if (x[i]) n++; return n")
    c.ok(nsets == 3 and drawn > 1000, f"the net cost chart is drawn with its band ({nsets} series, {drawn} pixels)")
    nrows = len(driver.find_elements(By.CSS_SELECTOR, "#netcost-table tbody tr"))
    c.ok(nrows >= YEARS, f"the net cost table beside the chart has a row a financial year ({nrows})")
    shot("6b-business-case", driver.find_element(By.ID, "h-business"))

    # a long run cancelled with the page's button
    reps = driver.find_element(By.ID, "reps")
    reps.clear()
    reps.send_keys("5000")
    driver.find_element(By.ID, "run").click()
    WebDriverWait(driver, 60, poll_frequency=0.1).until(
        lambda d: d.find_element(By.ID, "progress").get_attribute("value") not in (None, "0"))
    driver.find_element(By.ID, "cancel").click()
    wait.until(lambda d: "cancelled" in d.find_element(By.ID, "status").text)
    c.ok(not d_is_visible("progress-box"), "the progress bar goes when the run is cancelled")
    reps.clear()
    reps.send_keys(str(REPS))
    # nothing was fetched from anywhere but this server
    res = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    c.ok(res and all(u.startswith(srv.url) for u in res), f"every resource is the server's own: {res}")

    author = driver.find_element(By.ID, "author")
    author.send_keys("Strategy team")
    driver.find_element(By.ID, "save").click()
    saved = wait_file("ten-more-carers*.cfg")
    c.ok(saved is not None, "the scenario file was downloaded")
    driver.find_element(By.ID, "dl-comparison-csv").click()
    csv = wait_file("comparison*.csv")
    c.ok(csv is not None, "comparison.csv was downloaded")
    driver.find_element(By.ID, "dl-monthly-csv").click()
    c.ok(wait_file("monthly*.csv") is not None, "monthly.csv was downloaded")
    shot("7-save-download", driver.find_element(By.ID, "h-save"))
    # a new baseline from SSDA903 files (synthetic: export-903 of the baseline)
    e903 = os.path.join(srv.dir, "e903")
    r = subprocess.run([CARECAP, "export-903", "config/nottinghamshire.cfg", "-y", "2", "-s", "1", "-o", e903],
                       cwd=srv.dir, capture_output=True, text=True)
    c.ok(r.returncode == 0, f"export-903 for the upload: {r.stderr}")
    before = set(glob.glob("/tmp/carecap-upload-*"))
    driver.find_element(By.ID, "cal-name").send_keys("synthetic")
    Select(driver.find_element(By.ID, "cal-baseline")).select_by_value("nottinghamshire")
    driver.find_element(By.ID, "cal-episodes").send_keys(os.path.join(e903, "episodes.csv"))
    driver.find_element(By.ID, "cal-header").send_keys(os.path.join(e903, "header.csv"))
    driver.find_element(By.ID, "cal-districts").send_keys(os.path.join(e903, "districts.csv"))
    driver.find_element(By.ID, "calibrate").click()
    wait.until(lambda d: "synthetic" in d.find_element(By.ID, "cal-result").text or
               d.find_element(By.ID, "errors").is_displayed())
    c.ok(os.path.isfile(os.path.join(srv.dir, "config", "synthetic.cfg")), "the fitted baseline is in config/")
    c.ok(set(glob.glob("/tmp/carecap-upload-*")) <= before, "the uploaded files are deleted")
    try:
        WebDriverWait(driver, 20).until(lambda d: "synthetic" in [
            o.get_attribute("value") for o in Select(d.find_element(By.ID, "config")).options])
    except Exception:
        pass
    opts_now = [o.get_attribute("value") for o in Select(driver.find_element(By.ID, "config")).options]
    c.ok("synthetic" in opts_now, f"the new baseline can be chosen ({opts_now})")
    shot("8-calibrate", driver.find_element(By.ID, "h-calibrate"))
    # ---- a region as the baseline: its totals and each council's, region levers, the comparison
    kept = os.path.join(srv.dir, "council-downloads")  # the council's files, for the checks at the end
    shutil.move(dl, kept)
    os.makedirs(dl)
    saved = saved and os.path.join(kept, os.path.basename(saved))
    csv = csv and os.path.join(kept, os.path.basename(csv))
    Select(driver.find_element(By.ID, "config")).select_by_value("d2n2")
    c.ok(d_is_visible("region-levers") and not d_is_visible("council-levers"),
         "a region shows the region's levers in place of a council's")
    c.ok(not d_is_visible("s-backtest"), "a region (no back-test) hides the back-test panel")
    for field, value in (("reps", RREPS), ("years", RYEARS), ("seed", SEED)):
        e = driver.find_element(By.ID, field)
        e.clear()
        e.send_keys(str(value))
    shot("9-region-choose", driver.find_element(By.ID, "h-baseline"))
    driver.find_element(By.ID, "show-baseline").click()
    wait.until(lambda d: d.find_element(By.ID, "council-view").is_displayed())
    points = driver.execute_script(
        "const ch = Chart.getChart('gap-chart'); return ch ? ch.data.datasets[2].data.length : 0")
    c.ok(points == 12 * RYEARS + 1, f"the region's gap chart has {points} points (expected {12 * RYEARS + 1})")
    views = [o.text for o in Select(driver.find_element(By.ID, "council-view")).options]
    c.ok(len(views) == 5 and "all 4 councils" in views[0], f"the region's totals and its four councils ({views})")
    total = driver.find_element(By.CSS_SELECTOR, "#headline tbody tr:nth-child(2) td").text
    shot("9b-region-baseline", driver.find_element(By.ID, "h-baseline"))
    Select(driver.find_element(By.ID, "council-view")).select_by_value("derby")
    derby = driver.find_element(By.CSS_SELECTOR, "#headline tbody tr:nth-child(2) td").text
    kpis = len(driver.find_elements(By.CSS_SELECTOR, "#kpi-table tbody tr"))
    c.ok(derby != total and kpis >= 3, f"choosing a council shows its own figures ({total} -> {derby}, {kpis} KPIs)")
    shot("9c-region-council", driver.find_element(By.ID, "council-view"))
    Select(driver.find_element(By.ID, "council-view")).select_by_value("region")
    e = driver.find_element(By.ID, "joint_block-places")
    e.clear()
    e.send_keys("20")
    Select(driver.find_element(By.ID, "joint_block-market")).select_by_value("homes_d2n2")
    Select(driver.find_element(By.ID, "council_scenario-council")).select_by_value("nottingham")
    Select(driver.find_element(By.ID, "council_scenario-scenario")).select_by_value("nottingham/four-bed-home")
    name = driver.find_element(By.ID, "scenario-name")
    name.clear()
    name.send_keys("region strategy")
    driver.find_element(By.ID, "bundled-d2n2/recruitment").click()
    shot("10-region-levers", driver.find_element(By.ID, "h-levers"))
    driver.find_element(By.ID, "run").click()
    wait.until(lambda d: d.find_element(By.ID, "s-compare").is_displayed() and
               len(d.find_elements(By.CSS_SELECTOR, "#compare-table thead th")) == 3)
    head = [th.text for th in driver.find_elements(By.CSS_SELECTOR, "#compare-table thead th")]
    c.ok(any(h.startswith("region strategy") for h in head) and any(h.startswith("d2n2-recruitment") for h in head),
         f"the region's comparison names both scenarios ({head})")
    c.ok(d_is_visible("cmp-council-view"), "the comparison has its council selector")
    shot("11-region-comparison", driver.find_element(By.ID, "h-compare"))
    Select(driver.find_element(By.ID, "cmp-council-view")).select_by_value("nottingham")
    cell = driver.find_element(By.CSS_SELECTOR, "#compare-table tbody tr td").text
    c.ok(cell != "", f"a council's differences are shown ({cell})")
    shot("11b-region-comparison-council", driver.find_element(By.ID, "h-compare"))
    driver.find_element(By.ID, "save").click()
    rsaved = wait_file("region-strategy*.cfg")
    c.ok(rsaved is not None, "the region scenario file was downloaded")
    driver.find_element(By.ID, "dl-comparison-csv").click()
    rcsv = wait_file("comparison*.csv")
    c.ok(rcsv is not None, "the region's comparison.csv was downloaded")
    links = [a.get_attribute("id") for a in driver.find_elements(By.CSS_SELECTOR, "#downloads a")]
    c.ok("dl-councils-derby-report-html" in links and "dl-region-report-html" in links,
         f"each council's report and the region's can be opened ({links})")
    shot("12-region-downloads", driver.find_element(By.ID, "h-save"))
    # (the one 400 is the wrong running cost above, which the network log shows)
    logs = [entry for entry in driver.get_log("browser") if entry.get("level") == "SEVERE" and not
            ("/api/runs - " in entry.get("message", "") and "status of 400" in entry.get("message", ""))]
    c.ok(logs == [], f"no errors in the browser's console: {logs}")
finally:
    driver.quit()
    rc = srv.stop()
    c.ok(rc == 0, f"the server stops cleanly (exit {rc}): {srv.errors[-2000:]}")

try:
    if rsaved and rcsv:
        target = os.path.join(srv.dir, "scenarios", "region-strategy.cfg")
        shutil.copy(rsaved, target)
        r = subprocess.run([CARECAP, "check", "scenarios/region-strategy.cfg"], cwd=srv.dir, capture_output=True,
                           text=True)
        c.ok(r.returncode == 0, f"carecap check passes the saved region scenario: {r.stderr}")
        r = subprocess.run([CARECAP, "compare", "config/d2n2.cfg", "scenarios/region-strategy.cfg",
                            "scenarios/d2n2/recruitment.cfg", "-r", str(RREPS), "-y", str(RYEARS), "-s", str(SEED),
                            "-j", "2", "-o", "rcmp", "--no-charts", "-q"], cwd=srv.dir, capture_output=True, text=True)
        c.ok(r.returncode == 0, f"carecap compare runs the saved region scenario: {r.stderr}")
        mine = open(os.path.join(srv.dir, "rcmp", "comparison.csv"), "rb").read()
        page = open(rcsv, "rb").read()
        c.ok(mine == page and len(page) > 1000,
             f"compare's comparison.csv of the region equals the page's ({len(mine)} and {len(page)} bytes)")
    else:
        c.ok(False, "the region's files were downloaded")
    if saved and csv:
        text = open(saved).read()
        c.ok("# Saved from carecap serve" in text and "by Strategy team" in text, "the file says who saved it")
        c.ok("one_off_cost = 50000;" in text and "revenue_cost = 150000;" in text and "ramp_up_months = 12;" in text,
             "the saved scenario carries the lever's costs and ramp-up")
        r = subprocess.run([CARECAP, "check", "config/synthetic.cfg"], cwd=srv.dir, capture_output=True, text=True)
        c.ok(r.returncode == 0, f"carecap check passes the fitted baseline: {r.stderr}")
        target = os.path.join(srv.dir, "scenarios", "ten-more-carers.cfg")
        shutil.copy(saved, target)
        r = subprocess.run([CARECAP, "check", "scenarios/ten-more-carers.cfg"], cwd=srv.dir, capture_output=True,
                           text=True)
        c.ok(r.returncode == 0, f"carecap check passes the saved scenario: {r.stderr}")
        r = subprocess.run([CARECAP, "compare", "config/nottinghamshire.cfg", "scenarios/ten-more-carers.cfg",
                            "-r", str(REPS), "-y", str(YEARS), "-s", str(SEED), "-j", "2", "-o", "cmp",
                            "--no-charts", "-q"], cwd=srv.dir, capture_output=True, text=True)
        c.ok(r.returncode == 0, f"carecap compare runs the saved scenario: {r.stderr}")
        mine = open(os.path.join(srv.dir, "cmp", "comparison.csv"), "rb").read()
        page = open(csv, "rb").read()
        c.ok(mine == page and len(page) > 1000,
             f"compare's comparison.csv equals the page's ({len(mine)} and {len(page)} bytes)")
finally:
    srv.cleanup()
sys.exit(c.finish("test_workbench"))
