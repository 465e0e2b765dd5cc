// The Kubernetes schemas allow fields they do not define, so a misspelt field (`readinesProbe`) would pass
// them, while `kubectl apply` (strict field validation) refuses it. The compiled schema reads every field it
// defines: run it over the object through proxies that record what it reads, and whatever field of an
// object it looked into was never read is unknown. Maps (labels, ConfigMap data, resource lists) are
// enumerated by the schema: every key of theirs counts as known.

type Validate = (data: unknown) => boolean

/** The paths of fields that `validate` (a compiled Kubernetes schema) does not define; empty when none. */
export function unknownFields(object: unknown, validate: Validate): string[] {
  const read = new Map<object, Set<PropertyKey>>()
  const enumerated = new Set<object>()

  const watch = (value: unknown): unknown => {
    if (value === null || typeof value !== 'object') return value
    const fields = read.get(value) ?? new Set<PropertyKey>()
    read.set(value, fields)
    return new Proxy(value, {
      get(target, key, receiver) {
        fields.add(key)
        return watch(Reflect.get(target, key, receiver))
      },
      has(target, key) {
        fields.add(key)
        return Reflect.has(target, key)
      },
      getOwnPropertyDescriptor(target, key) {
        fields.add(key)
        return Reflect.getOwnPropertyDescriptor(target, key)
      },
      ownKeys(target) {
        enumerated.add(target)
        return Reflect.ownKeys(target)
      },
    })
  }
  validate(watch(object))

  const unknown: string[] = []
  const walk = (value: unknown, path: string): void => {
    if (value === null || typeof value !== 'object' || enumerated.has(value)) return
    const seen = read.get(value)
    if (!seen) return // not looked into (its parent's schema takes any value)
    for (const [key, child] of Object.entries(value)) {
      if (Array.isArray(value)) walk(child, `${path}[${key}]`)
      else if (!seen.has(key)) unknown.push(path ? `${path}.${key}` : key)
      else walk(child, path ? `${path}.${key}` : key)
    }
  }
  walk(object, '')
  return unknown
}
