// What deploy/k8s must say beyond the schema: the probes, the shutdown timing, the wiring between objects,
// the balancer's behaviour and the security context. Each rule returns the problems it finds, so a test can
// show that a broken manifest is caught.
import type { IDeployment } from 'kubernetes-models/apps/v1'
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2'
import type { IJob } from 'kubernetes-models/batch/v1'
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1'
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1'
import type { IConfigMap, IContainer, IPodSpec, IProbe, IService } from 'kubernetes-models/v1'
import type { Manifest } from './k8s-manifests.ts'

/** socket.io's pingInterval + pingTimeout (the server keeps the defaults): the longest a healthy connection is quiet. */
export const SOCKET_QUIET_SECONDS = 25 + 20
/** The server image, by name, with or without a registry and a tag. */
const IMAGE = /(^|\/)secura-chat(:[\w.-]+)?$/
/** TRUST_PROXY values that believe any client's X-Forwarded-For. */
const TRUST_EVERYONE = new Set(['true', '*', 'all', 'yes', 'on', '0.0.0.0/0', '::/0'])

interface Timing {
  /** The server's own bound on its shutdown after SIGTERM. */
  closeDelayMs: number
}

function only<T>(objects: Manifest[], kind: string, problems: string[]): T | undefined {
  const found = objects.filter((o) => o.kind === kind)
  if (found.length !== 1) problems.push(`expected one ${kind}, found ${found.length}`)
  return found[0] as T | undefined
}

const matches = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined) =>
  selector !== undefined &&
  Object.keys(selector).length > 0 &&
  Object.entries(selector).every(([key, value]) => labels?.[key] === value)

const secretEnv = (container: IContainer | undefined, name: string) =>
  container?.env?.find((e) => e.name === name)?.valueFrom

/** The pause before SIGTERM: a `sleep N` command or the kubelet's own sleep action. */
function preStopSeconds(container: IContainer): number {
  const preStop = container.lifecycle?.preStop
  const command = preStop?.exec?.command ?? []
  if (command[0] === 'sleep') return Number(command[1])
  return preStop?.sleep?.seconds ?? 0
}

function checkProbe(label: string, probe: IProbe | undefined, path: string, container: IContainer): string[] {
  const get = probe?.httpGet
  if (!get) return [`${label}: no httpGet probe`]
  const problems: string[] = []
  if (get.path !== path) problems.push(`${label}: probes ${get.path ?? '/'}, expected ${path}`)
  const port = container.ports?.find((p) => p.name === get.port || p.containerPort === get.port)
  if (!port) problems.push(`${label}: port ${get.port} is not a port of the container`)
  return problems
}

/** What the server's and the Job's pods share: security context, image and database. */
function checkPod(label: string, pod: IPodSpec | undefined, container: IContainer): string[] {
  const problems: string[] = []
  if (pod?.securityContext?.runAsNonRoot !== true && container.securityContext?.runAsNonRoot !== true)
    problems.push(`${label}: runAsNonRoot is not set`)
  if (container.securityContext?.allowPrivilegeEscalation !== false)
    problems.push(`${label}: allowPrivilegeEscalation is not false`)
  if (!container.securityContext?.capabilities?.drop?.includes('ALL'))
    problems.push(`${label}: capabilities are not all dropped`)
  if (!IMAGE.test(container.image ?? ''))
    problems.push(`${label}: image ${container.image}, expected secura-chat`)
  const database = secretEnv(container, 'DATABASE_URL')?.secretKeyRef
  if (!database || database.optional)
    problems.push(`${label}: DATABASE_URL does not come from a required Secret key`)
  const admin = container.env?.find((e) => e.name === 'ADMIN_TOKEN')
  if (admin && admin.valueFrom?.secretKeyRef?.optional !== true)
    problems.push(
      `${label}: ADMIN_TOKEN must be an optional Secret key (the server generates one when absent)`,
    )
  return problems
}

function checkDeployment(deployment: IDeployment, objects: Manifest[], timing: Timing): string[] {
  const problems: string[] = []
  const pod = deployment.spec?.template.spec
  const container = pod?.containers[0]
  if (!pod || !container) return ['Deployment: no container']
  problems.push(...checkProbe('readinessProbe', container.readinessProbe, '/readyz', container))
  problems.push(...checkProbe('livenessProbe', container.livenessProbe, '/healthz', container))
  problems.push(...checkPod('Deployment', pod, container))

  const pauseSeconds = preStopSeconds(container)
  const grace = pod.terminationGracePeriodSeconds ?? 30
  const needed = pauseSeconds + timing.closeDelayMs / 1000
  if (!(grace > needed))
    problems.push(
      `terminationGracePeriodSeconds ${grace} is not beyond the preStop pause and the server's drain (${needed} s)`,
    )

  const requests = container.resources?.requests ?? {}
  if (!requests.cpu || !requests.memory)
    problems.push('Deployment: resource requests (cpu and memory) are missing')
  if (!container.resources?.limits?.memory) problems.push('Deployment: no memory limit')
  if (deployment.spec?.replicas !== undefined)
    problems.push('Deployment: spec.replicas is set, but the HorizontalPodAutoscaler owns the count')

  if (!secretEnv(container, 'REDIS_URL')?.secretKeyRef)
    problems.push('Deployment: REDIS_URL does not come from a Secret')
  const configMaps = objects.filter((o): o is Manifest & IConfigMap => o.kind === 'ConfigMap')
  const config = configMaps.find((c) =>
    container.envFrom?.some((e) => e.configMapRef?.name === c.metadata?.name),
  )
  if (!config) problems.push('Deployment: envFrom names no ConfigMap of deploy/k8s')
  for (const key of ['PUBLIC_URL', 'TRUST_PROXY', 'HOST'])
    if (config && !config.data?.[key]) problems.push(`ConfigMap: ${key} is missing`)
  const trust = config?.data?.TRUST_PROXY?.trim().toLowerCase()
  if (trust && TRUST_EVERYONE.has(trust))
    problems.push(`ConfigMap: TRUST_PROXY=${trust} would trust any client`)
  if (config?.data?.HOST && config.data.HOST !== '0.0.0.0')
    problems.push('ConfigMap: HOST must be 0.0.0.0 in a pod')
  return problems
}

function checkService(service: IService, deployment: IDeployment): string[] {
  const problems: string[] = []
  const labels = deployment.spec?.template.metadata?.labels
  if (!matches(service.spec?.selector, labels))
    problems.push('Service: selector does not match the Deployment pods')
  const ports = deployment.spec?.template.spec?.containers[0]?.ports ?? []
  for (const port of service.spec?.ports ?? [])
    if (!ports.some((p) => p.name === port.targetPort || p.containerPort === port.targetPort))
      problems.push(`Service: targetPort ${port.targetPort} is not a container port`)
  return problems
}

function checkIngress(ingress: IIngress, service: IService): string[] {
  const problems: string[] = []
  const annotations = ingress.metadata?.annotations ?? {}
  if (annotations['nginx.ingress.kubernetes.io/affinity'] !== 'cookie')
    problems.push('Ingress: no cookie affinity')
  for (const name of ['proxy-read-timeout', 'proxy-send-timeout']) {
    const seconds = Number(annotations[`nginx.ingress.kubernetes.io/${name}`])
    if (!(seconds > SOCKET_QUIET_SECONDS))
      problems.push(
        `Ingress: ${name} must exceed socket.io's ping interval + timeout (${SOCKET_QUIET_SECONDS} s)`,
      )
  }
  const backends = (ingress.spec?.rules ?? [])
    .flatMap((rule) => rule.http?.paths ?? [])
    .map((p) => p.backend.service)
  if (backends.length === 0) problems.push('Ingress: no backend')
  for (const backend of backends) {
    if (backend?.name !== service.metadata?.name)
      problems.push(`Ingress: backend ${backend?.name} is not the Service`)
    const port = backend?.port
    if (!service.spec?.ports?.some((p) => p.name === port?.name || p.port === port?.number))
      problems.push('Ingress: backend port is not a port of the Service')
  }
  return problems
}

function checkScaling(
  pdb: IPodDisruptionBudget,
  hpa: IHorizontalPodAutoscaler,
  deployment: IDeployment,
): string[] {
  const problems: string[] = []
  const labels = deployment.spec?.template.metadata?.labels
  if (!matches(pdb.spec?.selector?.matchLabels, labels))
    problems.push('PodDisruptionBudget: selector does not match the pods')
  if (pdb.spec?.maxUnavailable === undefined && pdb.spec?.minAvailable === undefined)
    problems.push('PodDisruptionBudget: neither maxUnavailable nor minAvailable')
  const target = hpa.spec?.scaleTargetRef
  if (target?.kind !== 'Deployment' || target.name !== deployment.metadata?.name)
    problems.push('HorizontalPodAutoscaler: does not scale the Deployment')
  if (!hpa.spec?.metrics?.some((m) => m.type === 'Resource' && m.resource?.name === 'cpu'))
    problems.push('HorizontalPodAutoscaler: no CPU metric')
  if ((hpa.spec?.minReplicas ?? 1) < 2)
    problems.push('HorizontalPodAutoscaler: fewer than two replicas (no redundancy)')
  return problems
}

function checkJob(job: IJob, deployment: IDeployment): string[] {
  const pod = job.spec?.template.spec
  const container = pod?.containers[0]
  if (!pod || !container) return ['Job: no container']
  const problems = checkPod('Job', pod, container)
  if (!container.command?.some((part) => /migrate\.(js|ts)$/.test(part)))
    problems.push('Job: does not run the migrate command')
  const server = deployment.spec?.template.spec?.containers[0]
  const ref = (c: IContainer | undefined) => JSON.stringify(secretEnv(c, 'DATABASE_URL'))
  if (ref(container) !== ref(server)) problems.push('Job: DATABASE_URL differs from the Deployment')
  if (container.image !== server?.image) problems.push('Job: image differs from the Deployment')
  return problems
}

/** Every rule broken by the objects of deploy/k8s (empty when all hold). */
export function manifestProblems(objects: Manifest[], timing: Timing): string[] {
  const problems: string[] = []
  const deployment = only<IDeployment>(objects, 'Deployment', problems)
  const service = only<IService>(objects, 'Service', problems)
  const ingress = only<IIngress>(objects, 'Ingress', problems)
  const pdb = only<IPodDisruptionBudget>(objects, 'PodDisruptionBudget', problems)
  const hpa = only<IHorizontalPodAutoscaler>(objects, 'HorizontalPodAutoscaler', problems)
  const job = only<IJob>(objects, 'Job', problems)
  if (!deployment) return problems
  problems.push(...checkDeployment(deployment, objects, timing))
  if (service) problems.push(...checkService(service, deployment))
  if (ingress && service) problems.push(...checkIngress(ingress, service))
  if (pdb && hpa) problems.push(...checkScaling(pdb, hpa, deployment))
  if (job) problems.push(...checkJob(job, deployment))
  return problems
}
