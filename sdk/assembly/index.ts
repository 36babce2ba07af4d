// The Cairn extension SDK for AssemblyScript. Import everything from "cairn-sdk":
//
//   import { Host, vdfs, EntryQuery, models, ModelDescriptor, tags, JobStep, log } from "cairn-sdk";
//
// Build with `cairn ext build` (it adds the json-as transform, the SDK path and `--use abort=`).
export { Host, cairnAbort } from "./host";
export { VdfsError, Result } from "./result";
export { vdfsCall, vdfsCallRaw, RawResponse } from "./call";
export { JsonObject } from "./json-writer";
export { config, vars } from "./config";
export { log } from "./log";
export { vdfs, Entry, EntryPage, EntryBatch, EntryQuery, EntryPager, FileBytes, Sidecar, SidecarWritten } from "./vdfs";
export { models, ModelDescriptor, ModelScope, SyncStrategy, ModelRecord, ModelPage, ModelQuery, BlobValues, BlobPayload, Deleted } from "./models";
export { tags, Tag, TagApplied, TagRemoved } from "./tags";
export { collections, Collection, CollectionItem, CollectionItems, ItemRefs, ItemsChanged } from "./collections";
export { jobs, JobStep, JobStepRequest, CompletedTask, FailedTask, TaskCall } from "./jobs";
export { ActionPreview, ActionChange, ActionOutcome, ActionRequest, ActionOptions, ActionOption, ActionOptionImage, ActionOptionCrop, HookBatch } from "./actions";
export { HostFaceBox, FaceLandmark, DetectedFace, DetectedFaces, FaceEmbedding } from "./ai";
export { base64Encode, base64Decode } from "./base64";
export { storeString, storeBytes, loadString, loadBytes, freeHandle } from "./memory";
