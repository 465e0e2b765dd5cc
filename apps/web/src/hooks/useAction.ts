import { useCallback, useEffect, useRef, useState } from 'react'
import { describeError } from '../api/http.ts'

export interface ActionState {
  pending: boolean
  /** What went wrong the last time, fit to show; cleared when the action runs again. */
  error: string | null
}

/**
 * Wraps an async action with its pending and error state, for a button or a form.
 * `run` resolves to the action's result, or undefined when it failed (the error is in state).
 */
export function useAction<Args extends unknown[], T>(
  action: (...args: Args) => Promise<T>,
  describe: (error: unknown) => string = describeError,
): [(...args: Args) => Promise<T | undefined>, ActionState] {
  const [state, setState] = useState<ActionState>({ pending: false, error: null })
  const mounted = useRef(true)
  useEffect(() => {
    mounted.current = true
    return () => {
      mounted.current = false
    }
  }, [])

  const run = useCallback(
    async (...args: Args) => {
      setState({ pending: true, error: null })
      try {
        const result = await action(...args)
        if (mounted.current) setState({ pending: false, error: null })
        return result
      } catch (error) {
        if (mounted.current) setState({ pending: false, error: describe(error) })
        return undefined
      }
    },
    [action, describe],
  )
  return [run, state]
}
