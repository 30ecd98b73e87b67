// Browser client for the Notes API.
const BASE = '/api';

export async function login(email, password) {
  const response = await fetch(`${BASE}/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!response.ok) {
    throw new Error('Login failed');
  }
  const data = await response.json();
  localStorage.setItem('token', data.token);
  return data.user;
}

function authHeaders() {
  return { Authorization: `Bearer ${localStorage.getItem('token')}` };
}

export async function listNotes() {
  const response = await fetch(`${BASE}/notes`, { headers: authHeaders() });
  return response.json();
}

export async function saveNote(note) {
  const response = await fetch(`${BASE}/notes`, {
    method: 'POST',
    headers: { ...authHeaders(), 'Content-Type': 'application/json' },
    body: JSON.stringify(note),
  });
  return response.json();
}

export function logout() {
  localStorage.removeItem('token');
}
