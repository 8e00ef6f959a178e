import { z } from "zod";
import { log } from "@/server/log";
import { CloudError } from "../../errors";
import { operation } from "../../protocols/aws-json";
import { decodeToken, encodeToken } from "../../validation";
import { runCrawl } from "./crawl";
import { crawlerInput, page } from "./shapes";
import * as store from "./store";

const notFound = (name: string) => new CloudError(400, "EntityNotFoundException", `Crawler entry with name ${name} does not exist`);
const epoch = (date: Date | string | null | undefined) => (date ? new Date(date).getTime() / 1000 : undefined);

function crawlerShape(row: store.GlueCrawlerRow) {
  const { Tags: _tags, ...input } = row.input as Record<string, unknown>;
  void _tags;
  return {
    ...input,
    Name: row.name,
    State: row.state,
    Version: row.version,
    CreationTime: epoch(row.creationTime),
    LastUpdated: epoch(row.lastUpdated),
    ...(row.state !== "READY" && row.crawlStartedAt ? { CrawlElapsedTime: Date.now() - new Date(row.crawlStartedAt).getTime() } : {}),
    ...(row.lastCrawl ? { LastCrawl: { ...row.lastCrawl, StartTime: epoch(row.lastCrawl.StartTime) } } : {}),
    SchemaChangePolicy: (input.SchemaChangePolicy as object | undefined) ?? { UpdateBehavior: "UPDATE_IN_DATABASE", DeleteBehavior: "DEPRECATE_IN_DATABASE" },
  };
}

export const crawlerOperations = {
  CreateCrawler: operation(crawlerInput, async (input, caller) => {
    if (!input.Targets.S3Targets?.length) {
      throw new CloudError(400, "InvalidInputException", "The local cloud crawls S3 targets; Targets.S3Targets must name at least one path.");
    }
    if (!(await store.insertCrawler({ ...store.catalogOf(caller), name: input.Name, input }))) {
      throw new CloudError(400, "AlreadyExistsException", `${input.Name} already exists`);
    }
    return {};
  }),
  GetCrawler: operation(z.looseObject({ Name: z.string().min(1) }), async ({ Name }, caller) => {
    const crawler = await store.findCrawler(store.catalogOf(caller), Name);
    if (!crawler) throw notFound(Name);
    return { Crawler: crawlerShape(crawler) };
  }),
  GetCrawlers: operation(z.looseObject(page), async ({ NextToken, MaxResults }, caller) => {
    const limit = MaxResults ?? 100;
    const rows = await store.listCrawlers(store.catalogOf(caller), decodeToken(NextToken), limit + 1);
    const shown = rows.slice(0, limit);
    return { Crawlers: shown.map(crawlerShape), ...(rows.length > limit ? { NextToken: encodeToken(shown.at(-1)!.name) } : {}) };
  }),
  StartCrawler: operation(z.looseObject({ Name: z.string().min(1) }), async ({ Name }, caller) => {
    const crawler = await store.findCrawler(store.catalogOf(caller), Name);
    if (!crawler) throw notFound(Name);
    const started = await store.transitionCrawler(store.catalogOf(caller), Name, ["READY"], { state: "RUNNING", stopRequested: 0, crawlStartedAt: new Date(), crawlElapsedMs: 0 });
    if (!started) throw new CloudError(400, "CrawlerRunningException", `Crawler with name ${Name} has already started`);
    // The crawl goes on after this request returns; its state lives in the store.
    setImmediate(() => void runCrawl(store.catalogOf(caller), Name).catch((error) => log("error", "crawl runner failed", { error })));
    return {};
  }),
  StopCrawler: operation(z.looseObject({ Name: z.string().min(1) }), async ({ Name }, caller) => {
    const crawler = await store.findCrawler(store.catalogOf(caller), Name);
    if (!crawler) throw notFound(Name);
    if (crawler.state === "STOPPING") throw new CloudError(400, "CrawlerStoppingException", `Crawler with name ${Name} is stopping`);
    if (!(await store.transitionCrawler(store.catalogOf(caller), Name, ["RUNNING"], { stopRequested: 1 }))) {
      throw new CloudError(400, "CrawlerNotRunningException", `Crawler with name ${Name} is not running`);
    }
    return {};
  }),
  UpdateCrawler: operation(crawlerInput.partial().required({ Name: true }), async ({ Name, ...changes }, caller) => {
    if (changes.Targets && !changes.Targets.S3Targets?.length) {
      throw new CloudError(400, "InvalidInputException", "The local cloud crawls S3 targets; Targets.S3Targets must name at least one path.");
    }
    const outcome = await store.updateCrawlerInput(store.catalogOf(caller), Name, changes);
    if (outcome === "missing") throw notFound(Name);
    if (outcome === "busy") throw new CloudError(400, "CrawlerRunningException", `Crawler with name ${Name} is running and cannot be updated`);
    return {};
  }),
  DeleteCrawler: operation(z.looseObject({ Name: z.string().min(1) }), async ({ Name }, caller) => {
    const crawler = await store.findCrawler(store.catalogOf(caller), Name);
    if (!crawler) throw notFound(Name);
    if (crawler.state !== "READY") throw new CloudError(400, "CrawlerRunningException", `Crawler with name ${Name} is running`);
    await store.deleteCrawler(store.catalogOf(caller), Name);
    return {};
  }),
};
