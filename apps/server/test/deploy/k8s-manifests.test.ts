import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { manifestProblems } from './k8s-checks.ts'
import {
  K8S_DIR,
  kustomizationDirs,
  type Loaded,
  loadKustomization,
  type Manifest,
  readDocuments,
  serverCloseDelayMs,
  typeKey,
  validateManifest,
  yamlFiles,
} from './k8s-manifests.ts'

/** A template the operator copies; no kustomization applies it. */
const SECRET_EXAMPLE = 'secret.example.yaml'

const loaded: Loaded[] = kustomizationDirs().flatMap((dir) => loadKustomization(dir))
const objects = loaded.map((l) => l.object)
const secretExample = readDocuments(join(K8S_DIR, SECRET_EXAMPLE)) as Manifest[]
const timing = { closeDelayMs: serverCloseDelayMs() }

/** A deep copy of the manifests with one object of `kind` changed. */
function changed(kind: string, change: (object: any) => void, from: Manifest[] = objects): Manifest[] {
  const copy = structuredClone(from)
  const target = copy.find((o) => o.kind === kind)
  if (!target) throw new Error(`no ${kind} in deploy/k8s`)
  change(target)
  return copy
}
const one = (kind: string, from: Manifest[] = objects): any => from.find((o) => o.kind === kind)
const container = (from: Manifest[] = objects) => one('Deployment', from).spec.template.spec.containers[0]

describe('deploy/k8s', () => {
  it('applies every manifest through a kustomization, and every listed file exists', () => {
    expect(kustomizationDirs().map((dir) => dir.slice(K8S_DIR.length) || '/')).toEqual(['/', '/migrate'])
    const applied = new Set(loaded.map((l) => l.file))
    const manifests = yamlFiles().filter((f) => !f.endsWith('kustomization.yaml') && f !== SECRET_EXAMPLE)
    expect([...applied].sort()).toEqual(manifests)
    // The Job is applied on its own, before the server.
    expect(loadKustomization(join(K8S_DIR, 'migrate')).map((l) => l.object.kind)).toEqual(['Job'])
  })

  it('holds one object of each kind the deployment needs, each valid against its Kubernetes schema', () => {
    expect(objects.map(typeKey).sort()).toEqual([
      'apps/v1/Deployment',
      'autoscaling/v2/HorizontalPodAutoscaler',
      'batch/v1/Job',
      'networking.k8s.io/v1/Ingress',
      'policy/v1/PodDisruptionBudget',
      'v1/ConfigMap',
      'v1/Service',
    ])
    for (const object of [...objects, ...secretExample]) expect(() => validateManifest(object)).not.toThrow()
  })

  it('probes /readyz for readiness and /healthz for liveness, on the port the server listens on', () => {
    const server = container()
    expect(server.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' })
    expect(server.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' })
    expect(server.ports).toContainEqual(expect.objectContaining({ name: 'http', containerPort: 3000 }))
    expect(one('ConfigMap').data.PORT).toBe('3000')
  })

  it('waits for the server to drain and close before the kubelet kills it', () => {
    expect(timing.closeDelayMs).toBeGreaterThan(0)
    const [sleep, pauseSeconds] = container().lifecycle.preStop.exec.command
    expect(sleep).toBe('sleep')
    const grace = one('Deployment').spec.template.spec.terminationGracePeriodSeconds
    expect(grace).toBeGreaterThan(Number(pauseSeconds) + timing.closeDelayMs / 1000)
  })

  it('keeps every rule: wiring, balancer, scaling, secrets, security', () => {
    expect(manifestProblems(objects, timing)).toEqual([])
  })

  describe('a broken object fails its schema', () => {
    const cases: [string, string, (object: any) => void, RegExp][] = [
      [
        'a port given by name',
        'Deployment',
        (d) => (d.spec.template.spec.containers[0].ports[0].containerPort = 'http'),
        /containerPort must be integer/,
      ],
      ['no selector', 'Deployment', (d) => delete d.spec.selector, /must have required property selector/],
      ['a Service port as text', 'Service', (s) => (s.spec.ports[0].port = 'eighty'), /port must be integer/],
      [
        'an Ingress path without pathType',
        'Ingress',
        (i) => delete i.spec.rules[0].http.paths[0].pathType,
        /pathType/,
      ],
      ['an unquoted number in a ConfigMap', 'ConfigMap', (c) => (c.data.PORT = 3000), /must be string/],
      [
        'a utilization as text',
        'HorizontalPodAutoscaler',
        (h) => (h.spec.metrics[0].resource.target.averageUtilization = '70%'),
        /must be integer/,
      ],
      [
        'a budget as an object',
        'PodDisruptionBudget',
        (p) => (p.spec.maxUnavailable = { pods: 1 }),
        /maxUnavailable/,
      ],
      ['a Job without containers', 'Job', (j) => delete j.spec.template.spec.containers, /containers/],
      [
        'a misspelt field',
        'Deployment',
        (d) => (d.spec.template.spec.terminationGracePeriodSecond = 60),
        /unknown field spec\.template\.spec\.terminationGracePeriodSecond/,
      ],
      [
        'a field at the wrong level',
        'Ingress',
        (i) => (i.spec.annotations = {}),
        /unknown field spec\.annotations/,
      ],
      [
        'an API that no longer exists',
        'Ingress',
        (i) => (i.apiVersion = 'extensions/v1beta1'),
        /unexpected apiVersion\/kind/,
      ],
    ]
    it.each(cases)('%s', (_name, kind, change, error) => {
      const broken = one(kind, changed(kind, change))
      expect(() => validateManifest(broken)).toThrow(error)
    })
  })

  describe('a broken deployment breaks a rule', () => {
    const cases: [string, string, (object: any) => void, string][] = [
      [
        'readiness on /healthz',
        'Deployment',
        (d) => (d.spec.template.spec.containers[0].readinessProbe.httpGet.path = '/healthz'),
        'readinessProbe: probes /healthz, expected /readyz',
      ],
      [
        'liveness on a port the container lacks',
        'Deployment',
        (d) => (d.spec.template.spec.containers[0].livenessProbe.httpGet.port = 'web'),
        'livenessProbe: port web',
      ],
      [
        'a grace shorter than the drain',
        'Deployment',
        (d) => (d.spec.template.spec.terminationGracePeriodSeconds = 10),
        'terminationGracePeriodSeconds 10',
      ],
      [
        'no resource requests',
        'Deployment',
        (d) => delete d.spec.template.spec.containers[0].resources.requests,
        'resource requests',
      ],
      [
        'running as root',
        'Deployment',
        (d) => (d.spec.template.spec.securityContext.runAsNonRoot = false),
        'runAsNonRoot',
      ],
      [
        'a required ADMIN_TOKEN',
        'Deployment',
        (d) =>
          delete d.spec.template.spec.containers[0].env.find((e: any) => e.name === 'ADMIN_TOKEN').valueFrom
            .secretKeyRef.optional,
        'ADMIN_TOKEN must be an optional',
      ],
      ['a fixed replica count', 'Deployment', (d) => (d.spec.replicas = 2), 'spec.replicas'],
      [
        'TRUST_PROXY trusting everyone',
        'ConfigMap',
        (c) => (c.data.TRUST_PROXY = 'true'),
        'TRUST_PROXY=true',
      ],
      [
        'a Service selecting other pods',
        'Service',
        (s) => (s.spec.selector['app.kubernetes.io/component'] = 'web'),
        'Service: selector',
      ],
      [
        'no cookie affinity',
        'Ingress',
        (i) => delete i.metadata.annotations['nginx.ingress.kubernetes.io/affinity'],
        'no cookie affinity',
      ],
      [
        'a read timeout under the ping',
        'Ingress',
        (i) => (i.metadata.annotations['nginx.ingress.kubernetes.io/proxy-read-timeout'] = '30'),
        'proxy-read-timeout must exceed',
      ],
      [
        'an Ingress to another Service',
        'Ingress',
        (i) => (i.spec.rules[0].http.paths[0].backend.service.name = 'web'),
        'backend web',
      ],
      [
        'an autoscaler on another target',
        'HorizontalPodAutoscaler',
        (h) => (h.spec.scaleTargetRef.name = 'web'),
        'does not scale the Deployment',
      ],
      [
        'a budget selecting nothing',
        'PodDisruptionBudget',
        (p) => (p.spec.selector.matchLabels = { app: 'web' }),
        'PodDisruptionBudget: selector',
      ],
      [
        'a Job that does not migrate',
        'Job',
        (j) => (j.spec.template.spec.containers[0].command = ['node', 'dist/server.js']),
        'migrate command',
      ],
      [
        'another image',
        'Deployment',
        (d) => (d.spec.template.spec.containers[0].image = 'nginx:1.27'),
        'image nginx:1.27',
      ],
      [
        'a Job on another image',
        'Job',
        (j) => (j.spec.template.spec.containers[0].image = 'secura-chat:old'),
        'image differs',
      ],
    ]
    it.each(cases)('%s', (_name, kind, change, problem) => {
      expect(manifestProblems(changed(kind, change), timing)).toContainEqual(expect.stringContaining(problem))
    })

    it('a missing object', () => {
      const withoutPdb = objects.filter((o) => o.kind !== 'PodDisruptionBudget')
      expect(manifestProblems(withoutPdb, timing)).toContain('expected one PodDisruptionBudget, found 0')
    })
  })
})
