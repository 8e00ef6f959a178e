import { z } from "zod";
import { route } from "../../protocols/rest-json";
import type { SignedRequest } from "../../sigv4/verify";
import { invalid, notFound } from "./common";
import { findByArn, inRegion, updateResource } from "./resources";

// Tags belong to the resource's owner: nobody else can read or change them.
async function ownResource(resourceArn: string, caller: SignedRequest) {
  const resource = await findByArn(resourceArn);
  if (!resource || resource.accountId !== caller.accountId || !inRegion(resource, caller.region)) throw notFound("RESOURCE", resourceArn, "resource");
  return resource;
}

const resourceArn = z.string().min(1).max(100000);

export const tagRoutes = [
  route("ListTagsForResource", "GET", "/tags/{resourceArn}", 200, z.looseObject({ resourceArn }), async ({ input, caller }) => ({ tags: (await ownResource(input.resourceArn, caller)).tags })),
  route("TagResource", "POST", "/tags/{resourceArn}", 200, z.looseObject({ resourceArn, tags: z.record(z.string().min(1).max(128), z.string().max(256)) }), async ({ input, caller }) => {
    const resource = await ownResource(input.resourceArn, caller);
    await updateResource(resource.id, (current) => {
      const merged = { ...current.tags, ...input.tags };
      if (Object.keys(merged).length > 50) throw invalid("tags", "A resource can have at most 50 tags.");
      return { tags: merged };
    });
    return {};
  }),
  route("UntagResource", "DELETE", "/tags/{resourceArn}", 200, z.looseObject({ resourceArn }), async ({ input, caller, queryAll }) => {
    const resource = await ownResource(input.resourceArn, caller);
    const keys = queryAll("tagKeys");
    if (!keys.length) throw invalid("tagKeys", "Name at least one tag key to remove.");
    await updateResource(resource.id, (current) => ({ tags: Object.fromEntries(Object.entries(current.tags).filter(([key]) => !keys.includes(key))) }));
    return {};
  }),
];
