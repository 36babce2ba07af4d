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
