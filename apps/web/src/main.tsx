import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
// The base stylesheet first: feature stylesheets (chat/chat.css) come after it and may refine it.
import './styles.css'
import { App } from './App.tsx'

const root = document.getElementById('root')
if (!root) throw new Error('index.html has no #root element')

createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
)
