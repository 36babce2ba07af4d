import { JSON } from "json-as";

/** One change an action would make: a human line and optional data for the execute step. */
@json
export class ActionChange {
  description: string = "";
  data: JSON.Raw = new JSON.Raw("null");

  /** A change with a description and data serialised from `value`. */
  static of<V>(description: string, value: V): ActionChange {
    const c = new ActionChange();
    c.description = description;
    c.data = new JSON.Raw(JSON.stringify<V>(value));
    return c;
  }
}

/**
 * What an action's preview export returns: the exact changes, whether they can be undone, and warnings.
 * The preview must change nothing; the host shows it and calls the execute export only after the user
 * confirms, with the same input.
 *
 * @example
 * const p = new ActionPreview("Tag 3 files as Receipts");
 * p.changes.push(ActionChange.of<string>("tag a.pdf", entryId));
 * return Host.output<ActionPreview>(p), 0;
 */
@json
export class ActionPreview {
  title: string = "";
  changes: ActionChange[] = [];
  reversible: bool = false;
  warnings: string[] = [];

  constructor(title: string = "") {
    this.title = title;
  }
}

/**
 * What an action's execute export returns: how many changes it applied and a message for the user.
 *
 * @example
 * Host.output<ActionOutcome>(ActionOutcome.of(3, "Tagged 3 files"));
 */
@json
export class ActionOutcome {
  applied: i32 = 0;
  message: string = "";

  static of(applied: i32, message: string): ActionOutcome {
    const o = new ActionOutcome();
    o.applied = applied;
    o.message = message;
    return o;
  }
}

/**
 * The input of an action export: the selected entries and the action's own parameters (JSON, parse them
 * with `paramsAs<P>()`).
 *
 * @example
 * const req = Host.input<ActionRequest>();
 * const params = req.paramsAs<RenameParams>();
 */
@json
export class ActionRequest {
  entryIds: string[] = [];
  params: JSON.Raw = new JSON.Raw("{}");
  /** For an options export: the name of the `choice` param whose options are asked for ("" otherwise). */
  param: string = "";

  /** The parameters as your `@json` class. */
  paramsAs<P>(): P {
    return JSON.parse<P>(this.params.toString());
  }
}

/**
 * The input of a hook export: the event name and a batch of its payloads (at most the manifest's
 * `batch_size`), each as JSON; `itemAs<T>(i)` parses one.
 *
 * @example
 * const batch = Host.input<HookBatch>();
 * for (let i = 0; i < batch.items.length; i++) { const e = batch.itemAs<EntryCreated>(i); … }
 */
@json
export class HookBatch {
  event: string = "";
  items: JSON.Raw[] = [];

  /** Item `i` as `T`. */
  itemAs<T>(i: i32): T {
    return JSON.parse<T>(this.items[i].toString());
  }
}

/** A crop of an option's picture, as fractions (0..1) of the image. */
@json
export class ActionOptionCrop {
  x: f64 = 0;
  y: f64 = 0;
  width: f64 = 1;
  height: f64 = 1;
}

/** An option's picture: the thumbnail of a content you can see, optionally cropped. */
@json
export class ActionOptionImage {
  contentId: string = "";
  crop: ActionOptionCrop | null = null;
}

/** One option of a `choice` param: the value sent back in `params`, the words shown, an optional picture. */
@json
export class ActionOption {
  value: string = "";
  label: string = "";
  image: ActionOptionImage | null = null;
}

/**
 * What an options export (`action_<name>_options`) returns: the choices the app shows for one `choice` param
 * (at most 500; values unique). The app only accepts, in the preview and execute that follow, values listed here.
 * Pictures of contents outside your grants are dropped by the host.
 *
 * @example
 * const o = new ActionOptions();
 * o.add("c1:0", "Face 1").add("c1:1", "Face 2", "c1", 0.1, 0.2, 0.3, 0.3);
 * Host.output<ActionOptions>(o);
 */
@json
export class ActionOptions {
  options: ActionOption[] = [];

  /** Adds an option; with `contentId`, a picture of that content, cropped when `width` and `height` are > 0. */
  add(value: string, label: string, contentId: string = "", x: f64 = 0, y: f64 = 0, width: f64 = 0, height: f64 = 0): ActionOptions {
    const o = new ActionOption();
    o.value = value;
    o.label = label;
    if (contentId.length > 0) {
      const img = new ActionOptionImage();
      img.contentId = contentId;
      if (width > 0 && height > 0) {
        const c = new ActionOptionCrop();
        c.x = x;
        c.y = y;
        c.width = width;
        c.height = height;
        img.crop = c;
      }
      o.image = img;
    }
    this.options.push(o);
    return this;
  }
}
