// Browser client for the Notes API: the session lives in an httpOnly cookie.
const BASE = '/api';

export async function login(email, password) {
  const response = await fetch(`${BASE}/auth/login`, {
    method: 'POST',
    credentials: 'include',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!response.ok) {
    throw new Error('Login failed');
  }
  const user = await response.json();
  localStorage.setItem('lastEmail', user.email);
  return user;
}

export async function listNotes() {
  const response = await fetch(`${BASE}/notes`, { credentials: 'include' });
  return response.json();
}

export async function saveNote(note) {
  const response = await fetch(`${BASE}/notes`, {
    method: 'POST',
    credentials: 'include',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(note),
  });
  return response.json();
}

export function logout() {
  return fetch(`${BASE}/auth/logout`, { method: 'POST', credentials: 'include' });
}
