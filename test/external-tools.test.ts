import { expect } from "chai";
import { findBrowser, findPython, inCI, requireTool, type Found, type Machine } from "./external-tools.js";

/** A machine with exactly these executables and this environment. */
function machine(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, executables: string[]): Machine {
  return { env, platform, isExecutable: (p) => executables.includes(p) };
}

/** What requireTool does with `found` under `env`: the path, the printed skip line, or the error. */
function required(found: Found, env: NodeJS.ProcessEnv): { path?: string; skipped?: string; error?: string } {
  const printed: string[] = [];
  const context = {
    skip: (): never => {
      throw new Skipped();
    },
  };
  try {
    return { path: requireTool(context, "the browser tests", found, { env, log: (l) => printed.push(l) }) };
  } catch (e) {
    if (e instanceof Skipped) {
      expect(printed).to.have.length(1);
      return { skipped: printed[0]! };
    }
    return { error: (e as Error).message };
  }
}
class Skipped extends Error {}

describe("external tools the tests need", () => {
  it("finds the browser from CHROME_PATH, then PATH, then the usual places, and says how to get one", () => {
    const linux = (env: NodeJS.ProcessEnv, executables: string[]) => findBrowser(machine("linux", env, executables));
    expect(linux({ CHROME_PATH: "/opt/my/chrome", PATH: "/bin" }, ["/opt/my/chrome", "/usr/bin/chromium"])).to.deep.equal({
      path: "/opt/my/chrome",
    });
    // A CHROME_PATH that is wrong is reported, not replaced by another browser.
    expect(linux({ CHROME_PATH: "/nowhere", PATH: "/usr/bin" }, ["/usr/bin/chromium"]))
      .to.have.property("missing")
      .that.match(/CHROME_PATH=\/nowhere is not an executable/);
    expect(linux({ PATH: "/a:/b" }, ["/b/google-chrome", "/usr/bin/chromium"])).to.deep.equal({ path: "/b/google-chrome" });
    expect(linux({ PATH: "/a" }, ["/usr/bin/chromium"])).to.deep.equal({ path: "/usr/bin/chromium" });
    expect(linux({ PATH: "/a" }, []))
      .to.have.property("missing")
      .that.match(/apt-get install chromium/)
      .and.match(/CHROME_PATH/);
    expect(
      findBrowser(machine("darwin", { PATH: "/usr/bin" }, ["/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"])),
    ).to.deep.equal({ path: "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome" });
    const chrome = "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe";
    expect(findBrowser(machine("win32", { Path: "C:\\Windows", PROGRAMFILES: "C:\\Program Files" }, [chrome]))).to.deep.equal({
      path: chrome,
    });
  });

  it("finds the first python3 that imports websockets and numpy, Debian's after PATH's", () => {
    const probe = (lacking: string[]) => (python: string) => (lacking.includes(python) ? "No module named 'websockets'" : null);
    const m = machine("linux", { PATH: "/pyenv/shims:/usr/bin" }, ["/pyenv/shims/python3", "/usr/bin/python3"]);
    expect(findPython(m, probe([]))).to.deep.equal({ path: "/pyenv/shims/python3" });
    expect(findPython(m, probe(["/pyenv/shims/python3"]))).to.deep.equal({ path: "/usr/bin/python3" });
    const none = findPython(m, probe(["/pyenv/shims/python3", "/usr/bin/python3"]));
    expect(none)
      .to.have.property("missing")
      .that.include("/pyenv/shims/python3: No module named 'websockets'")
      .and.include("apt-get install python3 python3-websockets python3-numpy");
    expect(findPython(machine("linux", { PATH: "/a" }, []), probe([])))
      .to.have.property("missing")
      .that.include("no python3 on PATH");
  });

  it("skips with one line saying what is missing, but fails under CI", () => {
    expect(required({ path: "/usr/bin/chromium" }, { CI: "true" })).to.deep.equal({ path: "/usr/bin/chromium" });
    const missing: Found = { missing: "no Chromium (apt-get install chromium)" };
    expect(required(missing, {}).skipped).to.match(/SKIPPED the browser tests: no Chromium \(apt-get install chromium\)/);
    expect(required(missing, { CI: "false" }).skipped).to.be.a("string");
    expect(required(missing, { CI: "true" }).error).to.match(/the browser tests cannot run, and CI is set.*no Chromium/);
    expect([undefined, "", "false", "0", "true", "1", "yes"].map((CI) => inCI(CI === undefined ? {} : { CI }))).to.deep.equal([
      false,
      false,
      false,
      false,
      true,
      true,
      true,
    ]);
  });
});
