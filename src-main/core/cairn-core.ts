import { operationNames, type OperationName } from '../../src-shared/contract/index.js';
import { CairnError } from '../../src-shared/errors.js';
import { EventBus } from './events/event-bus.js';
import { CairnHome, resolveHomeDir } from './home/cairn-home.js';
import { libraryHandlers } from './library/library-handlers.js';
import { LibraryManager } from './library/library-manager.js';
import { locationHandlers } from './locations/location-handlers.js';
import { LocationService } from './locations/location-service.js';
import { CollectionService } from './collections/collection-service.js';
import { collectionHandlers } from './collections/collection-handlers.js';
import { entryHandlers } from './entries/entry-handlers.js';
import { MetadataService } from './metadata/metadata-service.js';
import { searchHandlers } from './search/search-handlers.js';
import { HybridLogicalClock } from './sync/hlc.js';
import { jobHandlers } from './jobs/job-handlers.js';
import { indexerHandlers } from './indexer/indexer-handlers.js';
import { IndexerService } from './indexer/indexer-service.js';
import { LibraryJobs } from './jobs/library-jobs.js';
import { createActionService, type ActionService } from './actions/create-action-service.js';
import { actionHandlers } from './actions/action-handlers.js';
import { tagHandlers } from './tags/tag-handlers.js';
import { TagService } from './tags/tag-service.js';
import { BlobCodec } from './blobs/blob-codec.js';
import { BlobStore } from './blobs/blob-store.js';
import { scheduleBlobSweeps } from './blobs/blob-sweep.js';
import { modelHandlers } from './models/model-handlers.js';
import { ModelService } from './models/model-service.js';
import { TagPathWriter } from './models/tag-paths.js';
import { SidecarStore } from './sidecars/sidecar-store.js';
import { AiService } from './ai/ai-service.js';
import { aiHandlers } from './ai/ai-handlers.js';
import { placeHandlers } from './places/place-handlers.js';
import { ReverseGeocoder } from './places/reverse-geocoder.js';
import { OperationRegistry, type Handlers, type HandlersFor, type RegistryOptions } from './registry/operation-registry.js';

/** Operations that a shell answers (`shell.*`), not the core. */
export type ShellOperationName = Extract<OperationName, `shell.${string}`>;
export type ShellHandlers = HandlersFor<'shell'>;
/** Operations about installed extensions (`extensions.*`): the extension host answers them, through the shells. */
export type ExtensionOperationName = Extract<OperationName, `extensions.${string}`>;
/** Every `extensions.*` handler; `extensionHandlers(core)` in extension-host/packages provides them all. */
export type ExtensionHandlers = HandlersFor<'extensions'>;
/** The Extension Store (`store.*`): `storeHandlers(core)` in extension-host/store, through the shells. */
export type StoreOperationName = Extract<OperationName, `store.${string}`>;
export type StoreHandlers = HandlersFor<'store'>;
/** What extensions contribute to the UI (`ui.*`): `uiHandlers(core)` in extension-host/store, through the shells. */
export type UiOperationName = Extract<OperationName, `ui.${string}`>;
export type UiHandlers = HandlersFor<'ui'>;
/** Every handler the core itself must provide: the compiler lists any that are missing. */
export type CoreHandlers = Omit<Handlers, ShellOperationName | ExtensionOperationName | StoreOperationName | UiOperationName>;

export interface CoreOptions extends RegistryOptions {
  /** The Cairn home folder; defaults to `$CAIRN_HOME` or the platform's app-data folder. */
  homeDir?: string;
  /** Handlers for `shell.*`, supplied by the Electron shell, the headless shell or the CLI. */
  shell: ShellHandlers;
  /**
   * The `extensions.*` handlers. The core cannot import the extension host, so the shells pass
   * `extensionHandlers` from extension-host/packages here. Without it, those operations answer NOT_SUPPORTED.
   */
  extensions?: (core: CairnCore) => ExtensionHandlers;
  /** The `store.*` handlers (extension-host/store `storeHandlers`). Without it, they answer NOT_SUPPORTED. */
  store?: (core: CairnCore) => StoreHandlers;
  /** The `ui.*` handlers (extension-host/store `uiHandlers`). Without it, they answer NOT_SUPPORTED. */
  ui?: (core: CairnCore) => UiHandlers;
  /** Watch locations for changes (default: unless `CAIRN_NO_WATCH=1`). The CLI turns it off. */
  watch?: boolean;
}

/**
 * The VDFS core as one object: home, libraries, locations, events and the operation registry.
 * It runs in plain Node; every shell creates one and talks to it only through `registry`.
 *
 * @example
 * const core = await CairnCore.start({ shell: headlessShellHandlers });
 * await core.registry.call('library.list', {}, { caller: { kind: 'user', via: 'cli' } });
 * await core.stop();
 */
export class CairnCore {
  readonly home: CairnHome;
  readonly events: EventBus;
  readonly libraries: LibraryManager;
  readonly locations: LocationService;
  readonly clock: HybridLogicalClock;
  readonly tags: TagService;
  readonly metadata: MetadataService;
  readonly collections: CollectionService;
  readonly jobs: LibraryJobs;
  readonly indexer: IndexerService;
  readonly actions: ActionService;
  readonly models: ModelService;
  /** On-device AI: model registry, face worker pool (started on first use), LLM endpoints. */
  readonly ai: AiService;
  /** Offline reverse geocoding; the place list loads on first use. */
  readonly places: ReverseGeocoder;
  readonly registry: OperationRegistry;

  private constructor(options: CoreOptions, codec: BlobCodec) {
    this.home = new CairnHome(options.homeDir ?? resolveHomeDir());
    this.events = new EventBus();
    this.libraries = new LibraryManager(this.home, this.events);
    this.locations = new LocationService(this.events, this.home.deviceId);
    this.clock = new HybridLogicalClock(this.home.deviceId);
    this.tags = new TagService(this.clock, this.home.deviceId);
    this.metadata = new MetadataService(this.clock, this.home.deviceId);
    this.collections = new CollectionService(this.clock, this.home.deviceId);
    this.jobs = new LibraryJobs(this.libraries, this.events);
    this.indexer = new IndexerService({
      libraries: this.libraries,
      events: this.events,
      jobs: this.jobs,
      clock: this.clock,
      deviceId: this.home.deviceId,
      ...(options.watch !== undefined ? { watch: options.watch } : {}),
    });
    this.locations.setOnAdd((lib) => this.indexer.firstIndexEnqueuer(lib));
    this.actions = createActionService(this);
    const blobs = new BlobStore(codec);
    this.models = new ModelService(this.clock, this.home.deviceId, blobs);
    // Blobs whose last reference went with a deleted content or entry are deleted by a sweep job.
    scheduleBlobSweeps(this.jobs, this.libraries, blobs);
    this.ai = new AiService({ modelsDir: this.home.modelsDir, sidecars: new SidecarStore() });
    this.places = new ReverseGeocoder();
    const core: CoreHandlers = {
      ...libraryHandlers(this.libraries),
      ...locationHandlers(this.libraries, this.locations, this.indexer),
      ...entryHandlers(this.metadata, this.events),
      ...tagHandlers(this.tags, this.events),
      ...collectionHandlers(this.collections, this.events),
      ...searchHandlers(),
      ...jobHandlers(this.jobs),
      ...indexerHandlers(this.indexer),
      ...actionHandlers(this.actions),
      ...aiHandlers(this.ai, this.jobs),
      ...placeHandlers(this.places),
      ...modelHandlers({ models: this.models, tagPaths: new TagPathWriter(this.tags, this.clock, this.home.deviceId), sidecars: new SidecarStore(), events: this.events }),
    };
    const extensions = options.extensions ? options.extensions(this) : unavailableHandlers<ExtensionHandlers>('extensions');
    const store = options.store ? options.store(this) : unavailableHandlers<StoreHandlers>('store');
    const ui = options.ui ? options.ui(this) : unavailableHandlers<UiHandlers>('ui');
    this.registry = new OperationRegistry({ ...core, ...extensions, ...store, ...ui, ...options.shell }, {
      ...options,
      libraries: { open: (id) => this.libraries.get(id), peek: (id) => this.libraries.peek(id) },
    });
  }

  /** Opens the home and, on first run, creates the default library. */
  static async start(options: CoreOptions): Promise<CairnCore> {
    const core = new CairnCore(options, await BlobCodec.load());
    await core.libraries.ensureDefault();
    await core.indexer.startWatchers();
    return core;
  }

  /**
   * Starts the job scheduler of every library that opens, so that jobs interrupted by a crash or a quit
   * (running or paused) come back. Long-running shells (the headless shell, Electron) call this at launch;
   * one-shot CLI commands do not, so they never take over another process's jobs. Libraries that cannot
   * be opened are skipped (they are listed with their problem).
   */
  async resumeJobs(): Promise<void> {
    for (const lib of await this.libraries.list()) {
      if (lib.problem === null) await this.jobs.for(lib.id);
    }
  }

  async stop(): Promise<void> {
    this.indexer.close();
    await this.ai.close();
    await this.libraries.closeAll();
  }
}

/** Stand-ins when a shell runs without the extension host: every `<domain>.*` answers NOT_SUPPORTED. */
function unavailableHandlers<H>(domain: 'extensions' | 'store' | 'ui'): H {
  const what = { extensions: 'Extensions are', store: 'The Extension Store is', ui: 'Extension views are' }[domain];
  const fail = () => {
    throw new CairnError('NOT_SUPPORTED', `${what} not available in this shell.`);
  };
  return Object.fromEntries(operationNames.filter((n) => n.startsWith(`${domain}.`)).map((n) => [n, fail])) as unknown as H;
}
