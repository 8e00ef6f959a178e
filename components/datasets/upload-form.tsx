"use client";

import { useRouter } from "next/navigation";
import { useRef, useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Field, Input } from "@/components/ui/field";
import { formatBytes } from "@/lib/format";
import { ORGANIZATION_HEADER, pageOrganization } from "@/lib/organization-header";

type Upload = { phase: "idle" } | { phase: "sending"; sent: number; total: number } | { phase: "done"; message: string } | { phase: "failed"; message: string; fieldErrors?: Record<string, string[]> };

/** A dataset name from a file name: `Customer Data (A).csv` → `customer_data_a`. */
export function nameFromFile(filename: string): string {
  const base = filename
    .replace(/\.[^.]*$/, "")
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, "_")
    .replace(/^_+|_+$/g, "");
  const named = /^[a-z]/.test(base) ? base : `data_${base}`;
  return named.slice(0, 63).replace(/_+$/, "") || "data";
}

/**
 * Sends a file to the console's upload route with XMLHttpRequest, whose upload progress events
 * give a real progress bar (fetch has none for request bodies). The file is streamed from disk by
 * the browser; Cancel aborts the request, and the server then aborts its multipart upload.
 */
export function UploadDatasetForm({ existing }: { existing: string[] }) {
  const router = useRouter();
  const [upload, setUpload] = useState<Upload>({ phase: "idle" });
  const [name, setName] = useState("");
  const request = useRef<XMLHttpRequest | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const file = fileInput.current?.files?.[0];
    if (!file) return setUpload({ phase: "failed", message: "Choose a file to upload.", fieldErrors: { file: ["Choose a CSV or Parquet file."] } });
    const datasetName = name || nameFromFile(file.name);
    if (existing.includes(datasetName) && !window.confirm(`Replace the file of the dataset "${datasetName}"? Its catalogue is refreshed by a new crawl.`)) return;
    const xhr = new XMLHttpRequest();
    request.current = xhr;
    xhr.open("POST", `/api/datasets/upload?${new URLSearchParams({ name: datasetName, filename: file.name })}`);
    xhr.setRequestHeader("content-type", "application/octet-stream");
    // The server refuses the upload if the session is no longer this page's organization's.
    xhr.setRequestHeader(ORGANIZATION_HEADER, pageOrganization() ?? "");
    xhr.upload.onprogress = (e) => setUpload({ phase: "sending", sent: e.loaded, total: e.lengthComputable ? e.total : file.size });
    xhr.onload = () => {
      request.current = null;
      const answer = (() => {
        try {
          return JSON.parse(xhr.responseText) as { message?: string; error?: { message: string; fieldErrors?: Record<string, string[]> } };
        } catch {
          return { error: { message: `The upload failed (${xhr.status}).` } };
        }
      })();
      if (xhr.status >= 200 && xhr.status < 300) {
        setUpload({ phase: "done", message: answer.message ?? "Uploaded." });
        setName("");
        if (fileInput.current) fileInput.current.value = "";
        router.refresh();
      } else setUpload({ phase: "failed", message: answer.error?.message ?? "The upload failed.", fieldErrors: answer.error?.fieldErrors });
    };
    xhr.onerror = () => {
      request.current = null;
      setUpload({ phase: "failed", message: "The connection to the console was lost during the upload; nothing was kept. Try again." });
    };
    xhr.onabort = () => {
      request.current = null;
      setUpload({ phase: "failed", message: "Upload cancelled; nothing was kept." });
    };
    setUpload({ phase: "sending", sent: 0, total: file.size });
    xhr.send(file);
  }

  const sending = upload.phase === "sending";
  const fieldErrors = upload.phase === "failed" ? upload.fieldErrors : undefined;
  const percent = sending && upload.total ? Math.floor((upload.sent / upload.total) * 100) : 0;
  return (
    <form onSubmit={submit} className="space-y-4" noValidate aria-label="Upload a dataset">
      <Field id="dataset-file" label="CSV or Parquet file" errors={fieldErrors?.file}>
        {(aria) => (
          <Input
            {...aria}
            ref={fileInput}
            name="file"
            type="file"
            accept=".csv,.parquet,text/csv"
            disabled={sending}
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (file && !name) setName(nameFromFile(file.name));
            }}
          />
        )}
      </Field>
      <Field id="dataset-name" label="Dataset name (the catalogue table's name)" errors={fieldErrors?.name}>
        {(aria) => <Input {...aria} name="name" value={name} onChange={(e) => setName(e.target.value)} disabled={sending} placeholder="customers" />}
      </Field>
      {sending && (
        <div className="space-y-1" data-testid="upload-progress">
          <div className="h-2 w-full overflow-hidden rounded bg-slate-200" role="progressbar" aria-label="Upload progress" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
            <div className="h-full bg-brand-600 transition-[width]" style={{ width: `${percent}%` }} />
          </div>
          <p className="text-sm text-slate-600">
            {formatBytes(upload.sent)} of {formatBytes(upload.total)} ({percent}%)
          </p>
        </div>
      )}
      {upload.phase === "done" && (
        <p role="status" className="rounded-md bg-green-50 px-3 py-2 text-sm text-green-800">
          {upload.message}
        </p>
      )}
      {upload.phase === "failed" && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
          {upload.message}
        </p>
      )}
      <div className="flex gap-2">
        <Button type="submit" disabled={sending}>
          {sending ? "Uploading…" : "Upload"}
        </Button>
        {sending && (
          <Button type="button" variant="secondary" onClick={() => request.current?.abort()}>
            Cancel
          </Button>
        )}
      </div>
    </form>
  );
}
