// What the console shows of a dataset; plain data, safe to send to a browser.
export interface DatasetColumn {
  name: string;
  type: string;
}

export interface Dataset {
  name: string;
  file: { key: string; size: number; lastModified: string } | null;
  crawl: { state: string; lastStatus: string | null; lastError: string | null };
  columns: DatasetColumn[];
}
