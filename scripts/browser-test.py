#!/usr/bin/python3
"""End-to-end test of the hotline console in headless Chromium (Debian chromium + chromium-driver + python3-selenium).

Starts the built `servicecircle serve` on a free port against its own database on the test cluster (migrated and
seeded by serve itself), drives /console from the keyboard as an agent would (place, business, Enter, digit key),
checks the rendered answer against /v1/nearest's JSON for the same query, and saves screenshots to .artifacts/.

    /usr/bin/python3 scripts/browser-test.py --bin .build/debug/servicecircle --database-url postgres://…

Prints `browser: N passed, M failed` and exits non-zero when any check failed. Works as root (Chromium then needs
--no-sandbox: the page is our own, on localhost) and as a normal user; needs no network.
"""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testlib import Server, database_url  # noqa: E402
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ARTIFACTS = os.path.join(PROJECT, ".artifacts")
# The planners' map of issue 13 ("the coverage SVG of 黄陂区 shows its real outline"), rendered and kept in docs/.
COVERAGE_MAP = "/v1/coverage.svg?region=420116&business=ebike_registration&during=saturday&date=2026-03-07&k=3"
COVERAGE_PNG = os.path.join(PROJECT, "docs", "coverage-huangpi.png")
# The caller's question of the issue: "我在黄陂区前川街道附近，周六能去哪里给电动车上牌？" on Saturday 2026-03-07.
SENTENCE = "我在江汉区一带，后天下午想给电动车上牌"
PLACE = "黄陂区前川街道"
BUSINESS_TYPED = "电驴上牌"
AT = "2026-03-07T10:00"


def get(url, timeout=10):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.read()


def browser(profile):
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for arg in ["--headless=new", "--window-size=1280,800", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-extensions", "--disable-background-networking", "--lang=zh-CN", f"--user-data-dir={profile}"]:
        options.add_argument(arg)
    # Chromium refuses to run as root with its sandbox, and as a normal user inside a container without user
    # namespaces the sandbox cannot start either; the page under test is our own, served on localhost.
    options.add_argument("--no-sandbox")
    service = Service(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    driver = webdriver.Chrome(service=service, options=options)
    viewport(driver, 1280, 800)
    return driver


def viewport(driver, width, height, mobile=False):
    """The page's viewport exactly (a window size would include the browser's own frame)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})


def distance_text(m):
    return f"{m} 米" if m < 1000 else f"{m / 1000:.1f} 公里"


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def run(self, name, fn):
        started = time.time()
        try:
            fn()
            self.passed += 1
            print(f"  ok   {name} ({time.time() - started:.1f} s)")
        except Exception:
            self.failed += 1
            print(f"  FAIL {name}")
            traceback.print_exc()


def expect(cond, what):
    if not cond:
        raise AssertionError(what)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--database-url", required=True, help="the test cluster (a database sc_browser is created on it)")
    args = ap.parse_args()
    os.makedirs(ARTIFACTS, exist_ok=True)
    checks = Checks()
    server = Server(args.bin, database_url(args.database_url, "sc_browser"), os.path.join(ARTIFACTS, "serve.log"))
    profile = tempfile.mkdtemp(prefix="sc-chromium-")
    driver = None
    try:
        server.wait_ready()
        driver = browser(profile)
        wait = WebDriverWait(driver, 20)
        base = server.base
        state = {}

        def one_box():
            driver.get(base + "/console")
            box = driver.find_element(By.ID, "sentence")
            expect(driver.switch_to.active_element == box, "the sentence box has the focus on load")
            started = time.time()
            box.send_keys(SENTENCE, Keys.ENTER)
            wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-state") in ("done", "error"))
            elapsed = time.time() - started
            expect(driver.find_element(By.TAG_NAME, "body").get_attribute("data-state") == "done",
                   "ask failed: " + driver.find_element(By.ID, "message").text)
            print(f"       sentence + Enter → answer in {elapsed:.1f} s")
            api = driver.find_element(By.ID, "api-url").text
            expect(api.startswith("/v1/ask?"), f"API URL: {api}")
            status, body = get(base + api)
            j = json.loads(body)
            u = j["understood"]
            expect(u["place"]["district_code"] == "420103" and [b["code"] for b in u["businesses"]] == ["ebike_registration"],
                   f"understood: {u['place']['full_name']} {u['businesses']}")
            readback = driver.find_element(By.ID, "readback").text
            expect(readback == j["read_back_zh"] and "后天" in readback, f"read-back shown, with the date: {readback!r}")
            # The 办事指南 of the understood business under the read-back (from its guide route).
            wait.until(lambda d: d.find_element(By.ID, "guide-box").is_displayed())
            guide_text = driver.find_element(By.ID, "guide-box").text
            expect("电动自行车登记上牌" in guide_text and "材料" in guide_text and "身份证明" in guide_text,
                   f"guide shown under the read-back: {guide_text!r}")
            # The place question as buttons: picking a street asks again with place_id, and the question goes.
            options = driver.find_elements(By.CSS_SELECTOR, "#clarify .question[data-kind=place] button.option")
            expect(options, "a bare district asks for a street, with buttons")
            street = options[0].text
            options[0].click()
            wait.until(lambda d: "place_id=" in d.find_element(By.ID, "api-url").text
                       and d.find_element(By.TAG_NAME, "body").get_attribute("data-state") == "done")
            expect(not driver.find_elements(By.CSS_SELECTOR, "#clarify .question[data-kind=place]"), "the place question is answered")
            expect(street in driver.find_element(By.ID, "understood-text").text, f"understood place is the street {street}")
            cards = driver.find_elements(By.CSS_SELECTOR, "#results > li")
            expect(cards, "results for the street")
            card = cards[0]
            tel = card.find_elements(By.CSS_SELECTOR, "a.tel")
            expect(tel and tel[0].get_attribute("href").startswith("tel:"), "a tel: link")
            amap = card.find_element(By.CSS_SELECTOR, "a.nav-amap").get_attribute("href")
            baidu = card.find_element(By.CSS_SELECTOR, "a.nav-baidu").get_attribute("href")
            expect(amap.startswith("https://uri.amap.com/marker?position=") and "coordinate=gaode" in amap, f"Amap link: {amap}")
            expect(baidu.startswith("https://api.map.baidu.com/marker?location=") and "coord_type=bd09ll" in baidu, f"Baidu link: {baidu}")
            driver.find_element(By.ID, "copy-readback").click()
            expect(driver.execute_script("return state.lastCopied") == driver.find_element(By.ID, "readback").text, "copy read-back")
            card.find_element(By.CSS_SELECTOR, "button.copy-phone").click()
            expect(driver.execute_script("return state.lastCopied") == tel[0].text.replace("拨打 ", ""), "copy phone")
            sms = driver.find_element(By.ID, "sms-text").text
            expect(sms.startswith("【车驾管办理】") and "uri.amap.com" in sms, f"SMS text: {sms!r}")
            expect(driver.find_element(By.ID, "sms-link").get_attribute("href").startswith("sms:"), "an sms: link")
            # Nothing understood: the questions are asked, in Chinese, with nothing listed.
            box = driver.find_element(By.ID, "sentence")
            box.clear()
            box.send_keys("喂喂，听得到吗", Keys.ENTER)
            wait.until(lambda d: "听得到" in urllib.parse.unquote(d.find_element(By.ID, "api-url").text)
                       and d.find_element(By.TAG_NAME, "body").get_attribute("data-state") == "done")
            expect(not driver.find_elements(By.CSS_SELECTOR, "#results > li"), "no outlets listed when nothing was understood")
            expect("请问" in driver.find_element(By.ID, "message").text, "the agent is told what to ask")
            driver.save_screenshot(os.path.join(ARTIFACTS, "console-ask.png"))

        def answer_from_keyboard():
            driver.get(base + "/console")
            wait.until(lambda d: d.execute_script("return state.businesses.length") > 0)
            driver.find_element(By.CSS_SELECTOR, "#structured summary").click()
            driver.execute_script("document.getElementById('at').value = arguments[0]", AT)
            place = driver.find_element(By.ID, "place")
            place.click()
            expect(driver.switch_to.active_element == place, "the place box takes the focus")
            started = time.time()
            place.send_keys(PLACE)
            wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#place-list li"))
            first = driver.find_elements(By.CSS_SELECTOR, "#place-list li")[0]
            expect("前川街道" in first.text, f"first suggestion names 前川街道: {first.text!r}")
            place.send_keys(Keys.ARROW_DOWN, Keys.ENTER)  # pick the first suggestion: focus moves to the business box
            business = driver.switch_to.active_element
            expect(business.get_attribute("id") == "business", "picking a place moves to the business box")
            business.send_keys(BUSINESS_TYPED)
            wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#business-list li"))
            business.send_keys(Keys.ENTER)
            wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-state") in ("done", "error"))
            elapsed = time.time() - started
            expect(driver.find_element(By.TAG_NAME, "body").get_attribute("data-state") == "done",
                   "search failed: " + driver.find_element(By.ID, "message").text)
            expect(elapsed < 10, f"typing to answer took {elapsed:.1f} s")
            print(f"       place + business + Enter → answer in {elapsed:.1f} s")
            state["elapsed"] = elapsed

            api = driver.find_element(By.ID, "api-url").text
            expect(api.startswith("/v1/nearest?") and "business=ebike_registration" in api, f"API URL: {api}")
            status, body = get(base + api)
            j = json.loads(body)
            expect(j["query"]["place"]["resolved"]["name"] == "前川街道", "resolved place")
            expect(driver.find_element(By.ID, "resolved-place").text == j["query"]["place"]["resolved"]["name"], "confirmation shows the place")
            expect(len(j["results"]) > 0, "the seed has e-bike plate points open on a Saturday morning in 前川")
            for list_id, entries in [("results", j["results"]), ("soon", j["opening_soon"]),
                                     ("beyond", [j["nearest_open_beyond_radius"]] if j["nearest_open_beyond_radius"] else [])]:
                cards = driver.find_elements(By.CSS_SELECTOR, f"#{list_id} > li")
                expect(len(cards) == len(entries), f"{list_id}: {len(cards)} cards for {len(entries)} entries")
                for card, e in zip(cards, entries):
                    o = e["outlet"]
                    got = {
                        "id": card.get_attribute("data-outlet-id"),
                        "name": card.find_element(By.CSS_SELECTOR, ".outlet-name").text,
                        "status": card.find_element(By.CSS_SELECTOR, ".status").text,
                        "distance": card.find_element(By.CSS_SELECTOR, ".distance").text,
                        "phone": card.find_element(By.CSS_SELECTOR, ".phone").text,
                        "address": card.find_element(By.CSS_SELECTOR, ".address").text,
                    }
                    want = {"id": str(o["id"]), "name": o["name"], "status": e["status_text_zh"], "distance": distance_text(e["distance_m"]),
                            "phone": f"电话 {o['phone']}" if o["phone"] else "电话未登记", "address": o["address"]}
                    expect(got == want, f"{list_id} card differs from /v1/nearest:\n  got  {got}\n  want {want}")
            markers = driver.find_elements(By.CSS_SELECTOR, "#map g.marker")
            expect(len(markers) == len(j["results"]) + len(j["opening_soon"]) + (1 if j["nearest_open_beyond_radius"] else 0),
                   "one map marker per listed outlet")
            state["answer"] = j

        def digit_opens_result():
            expect("answer" in state, "needs the first check")
            driver.switch_to.active_element.send_keys("2")
            card = driver.find_elements(By.CSS_SELECTOR, "#results > li")[1]
            expect(card.get_attribute("aria-expanded") == "true", "key 2 opens the second result")
            details = card.find_element(By.CSS_SELECTOR, ".details")
            expect(details.is_displayed() and state["answer"]["results"][1]["outlet"]["hours_text_zh"] in details.text, "details show the hours")
            driver.switch_to.active_element.send_keys("1")
            expect(driver.find_elements(By.CSS_SELECTOR, "#results > li")[0].get_attribute("aria-expanded") == "true", "key 1 opens the first")
            driver.save_screenshot(os.path.join(ARTIFACTS, "console.png"))
            # Esc returns to the sentence box, ready for the next caller.
            driver.switch_to.active_element.send_keys(Keys.ESCAPE)
            expect(driver.switch_to.active_element.get_attribute("id") == "sentence", "Esc focuses the sentence box")

        def report_key():
            expect("answer" in state, "needs the first check")
            card = driver.find_elements(By.CSS_SELECTOR, "#results > li")[0]
            driver.execute_script("arguments[0].focus()", card)
            driver.switch_to.active_element.send_keys("r")
            forms = card.find_elements(By.CSS_SELECTOR, "form.report")
            expect(forms and forms[0].is_displayed(), "r on a focused result opens the 报告问题 form")
            expect(driver.switch_to.active_element.get_attribute("data-kind") == "closed", "the first kind button has the focus")
            driver.switch_to.active_element.send_keys("2")  # 2 = 时间不对: posts the report
            deadline = time.time() + 5
            while time.time() < deadline and card.find_elements(By.CSS_SELECTOR, "form.report"):
                time.sleep(0.1)
            expect(not card.find_elements(By.CSS_SELECTOR, "form.report"), "the form closes once the report is posted")
            expect("已提交问题报告" in driver.find_element(By.ID, "message").text, "the console confirms the report")
            driver.switch_to.active_element.send_keys(Keys.ESCAPE)

        def phone_width():
            expect("answer" in state, "needs the first check")
            viewport(driver, 390, 844, mobile=True)
            time.sleep(0.3)
            overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
            expect(overflow <= 0, f"no horizontal scrolling at phone width (overflow {overflow} px)")
            cards = driver.find_elements(By.CSS_SELECTOR, "#results > li")
            expect(cards and cards[0].is_displayed() and cards[0].size["width"] <= 390, "result cards fit the phone width")
            driver.save_screenshot(os.path.join(ARTIFACTS, "console-phone.png"))
            viewport(driver, 1280, 800)

        def coverage_map():
            status, body = get(base + COVERAGE_MAP, timeout=60)
            svg = body.decode("utf-8")
            expect(status == 200 and svg.startswith("<svg "), "the coverage map is an SVG")
            import re
            width, height = (int(float(v)) for v in re.search(r'width="([0-9.]+)" height="([0-9.]+)"', svg).groups())
            # The real outline: the district's path has hundreds of vertices (a box or a Voronoi patch has far fewer).
            outline = max(re.findall(r'<path d="(M[^"]*)" fill="none" stroke="#0f172a"', svg), key=len, default="")
            expect(outline.count("L") > 500, f"黄陂区's outline has {outline.count('L') + 1} vertices")
            for needed in ["黄陂区", "北", "公里", "分位数分级", "普查数", "+"]:
                expect(needed in svg, f"the map shows {needed!r}")
            viewport(driver, width, height)
            driver.get(base + COVERAGE_MAP)
            time.sleep(1.0)
            rendered = driver.execute_script(
                "const s = document.documentElement; const b = s.getBBox(); return [s.tagName, b.width, b.height,"
                " s.querySelectorAll('text').length]")
            expect(rendered[0] == "svg" and rendered[1] > 0 and rendered[2] > 0, f"Chromium rendered the SVG: {rendered}")
            driver.save_screenshot(COVERAGE_PNG)
            expect(os.path.getsize(COVERAGE_PNG) > 40_000, "the PNG is not blank")
            print(f"       {width}×{height} map, {rendered[3]} texts → docs/coverage-huangpi.png")
            viewport(driver, 1280, 800)

        checks.run("one box: the caller's sentence, Enter, the place question as buttons, read-back, copy, tel:, navigation, SMS; "
                   "screenshot .artifacts/console-ask.png", one_box)
        checks.run("the structured form answered from the keyboard, rendered as /v1/nearest answers it", answer_from_keyboard)
        checks.run("digit keys open results; Esc returns to the sentence box; screenshot .artifacts/console.png", digit_opens_result)
        checks.run("key r on a focused result: the 报告问题 form, a kind key posts the report", report_key)
        checks.run("phone width: no horizontal scrolling; screenshot .artifacts/console-phone.png", phone_width)
        checks.run("the coverage map of 黄陂区 (real outline, labels, legend) rendered; PNG docs/coverage-huangpi.png", coverage_map)
    except Exception:
        checks.failed += 1
        traceback.print_exc()
    finally:
        if driver is not None:
            driver.quit()
        server.stop()
        shutil.rmtree(profile, ignore_errors=True)
    print(f"browser: {checks.passed} passed, {checks.failed} failed")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
