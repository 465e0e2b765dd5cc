// Reads deploy/k8s the way `kubectl apply -k` does (each kustomization's resources, in order) and validates
// every object against the Kubernetes OpenAPI schemas that kubernetes-models compiles. No cluster needed.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { validate as deploymentSchema } from 'kubernetes-models/_schemas/IoK8sApiAppsV1Deployment'
import { validate as hpaSchema } from 'kubernetes-models/_schemas/IoK8sApiAutoscalingV2HorizontalPodAutoscaler'
import { validate as jobSchema } from 'kubernetes-models/_schemas/IoK8sApiBatchV1Job'
import { validate as configMapSchema } from 'kubernetes-models/_schemas/IoK8sApiCoreV1ConfigMap'
import { validate as secretSchema } from 'kubernetes-models/_schemas/IoK8sApiCoreV1Secret'
import { validate as serviceSchema } from 'kubernetes-models/_schemas/IoK8sApiCoreV1Service'
import { validate as ingressSchema } from 'kubernetes-models/_schemas/IoK8sApiNetworkingV1Ingress'
import { validate as pdbSchema } from 'kubernetes-models/_schemas/IoK8sApiPolicyV1PodDisruptionBudget'
import { Deployment } from 'kubernetes-models/apps/v1'
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2'
import { Job } from 'kubernetes-models/batch/v1'
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1'
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1'
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1'
import { parseAllDocuments } from 'yaml'
import { unknownFields } from './unknown-fields.ts'

export const REPO_ROOT = join(import.meta.dirname, '../../../..')
export const K8S_DIR = join(REPO_ROOT, 'deploy/k8s')

/** An object as read from YAML: only the type meta is known before validation. */
export interface Manifest {
  apiVersion: string
  kind: string
  metadata?: { name?: string }
  [field: string]: unknown
}

export interface Loaded {
  /** The file, relative to deploy/k8s. */
  file: string
  object: Manifest
}

interface Kind {
  /** The model: its validate() names the first field at fault. */
  model: new (
    data: never,
  ) => { validate(): void }
  /** The same compiled schema, called directly: what unknownFields watches. */
  schema: (data: unknown) => boolean
}

/** The kinds deploy/k8s may hold, by `apiVersion/kind`: anything else is a mistake (a typo, an old API). */
const KINDS: Record<string, Kind> = {
  'v1/ConfigMap': { model: ConfigMap, schema: configMapSchema },
  'v1/Secret': { model: Secret, schema: secretSchema },
  'v1/Service': { model: Service, schema: serviceSchema },
  'apps/v1/Deployment': { model: Deployment, schema: deploymentSchema },
  'batch/v1/Job': { model: Job, schema: jobSchema },
  'networking.k8s.io/v1/Ingress': { model: Ingress, schema: ingressSchema },
  'policy/v1/PodDisruptionBudget': { model: PodDisruptionBudget, schema: pdbSchema },
  'autoscaling/v2/HorizontalPodAutoscaler': { model: HorizontalPodAutoscaler, schema: hpaSchema },
}

export const typeKey = (object: Pick<Manifest, 'apiVersion' | 'kind'>) =>
  `${object.apiVersion}/${object.kind}`
const describe = (object: Manifest) => `${object.kind ?? '?'} ${object.metadata?.name ?? '(no name)'}`

/** Every YAML document of a file, as plain data; a syntax error throws, naming the file. */
export function readDocuments(path: string): unknown[] {
  const documents = parseAllDocuments(readFileSync(path, 'utf8'))
  if (!Array.isArray(documents)) return []
  return documents.flatMap((document) => {
    if (document.errors.length > 0)
      throw new Error(`${relative(REPO_ROOT, path)}: ${document.errors.map((e) => e.message).join('; ')}`)
    const value: unknown = document.toJS()
    return value === null ? [] : [value]
  })
}

function asManifest(value: unknown, file: string): Manifest {
  const object = value as Partial<Manifest> | null
  if (typeof object?.apiVersion !== 'string' || typeof object.kind !== 'string')
    throw new Error(`${file}: a document without apiVersion and kind`)
  return object as Manifest
}

/** The objects a kustomization directory produces, with the file each came from (resources are files). */
export function loadKustomization(dir: string): Loaded[] {
  const [kustomization] = readDocuments(join(dir, 'kustomization.yaml')) as { resources?: string[] }[]
  const resources = kustomization?.resources ?? []
  return resources.flatMap((resource) => {
    const path = join(dir, resource)
    if (!existsSync(path) || statSync(path).isDirectory())
      throw new Error(
        `${relative(K8S_DIR, dir) || '.'}/kustomization.yaml: resource ${resource} is not a file`,
      )
    const file = relative(K8S_DIR, path)
    return readDocuments(path).map((value) => ({ file, object: asManifest(value, file) }))
  })
}

/** Every kustomization directory under deploy/k8s, the top one first. */
export function kustomizationDirs(dir = K8S_DIR): string[] {
  const below = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => kustomizationDirs(join(dir, entry.name)))
  return existsSync(join(dir, 'kustomization.yaml')) ? [dir, ...below] : below
}

/** Every .yaml file under deploy/k8s, relative to it. */
export function yamlFiles(dir = K8S_DIR): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.yaml'))
    .map((entry) => relative(K8S_DIR, join(entry.parentPath, entry.name)))
    .sort()
}

/**
 * Validates an object against the schema of its apiVersion and kind, strictly as `kubectl apply` does
 * (no field the schema does not define); throws, naming the object and the first field at fault, when it
 * does not match or when the kind is not one deploy/k8s may hold.
 */
export function validateManifest(object: Manifest): void {
  const kind = KINDS[typeKey(object)]
  if (!kind) throw new Error(`${describe(object)}: unexpected apiVersion/kind ${typeKey(object)}`)
  try {
    new kind.model(object as never).validate()
  } catch (error) {
    throw new Error(`${describe(object)}: ${(error as Error).message}`)
  }
  const unknown = unknownFields(object, kind.schema)
  if (unknown.length > 0) throw new Error(`${describe(object)}: unknown field ${unknown.join(', ')}`)
}

/**
 * How long the server takes at most to stop after SIGTERM, read from its source: the delay after which
 * close-with-grace cuts whatever is still open (apps/server/src/server.ts).
 */
export function serverCloseDelayMs(): number {
  const source = readFileSync(join(REPO_ROOT, 'apps/server/src/server.ts'), 'utf8')
  const match = /closeWithGrace\(\s*\{\s*delay:\s*([\d_]+)/.exec(source)
  if (!match?.[1]) throw new Error('apps/server/src/server.ts: closeWithGrace({ delay }) not found')
  return Number(match[1].replaceAll('_', ''))
}
