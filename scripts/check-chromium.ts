// End-to-end tests drive Debian's Chromium; say how to get it rather than failing obscurely.
import fs from "node:fs";

const chromium = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
if (!fs.existsSync(chromium)) {
  console.error(`Chromium was not found at ${chromium}.\n` + "Install it with:  sudo apt-get update && sudo apt-get install -y chromium\n" + "or point CHROMIUM_PATH at a Chromium or Chrome binary.");
  process.exit(1);
}
