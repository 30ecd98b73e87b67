// Projects and their tasks, mounted at /api/projects behind requireUser.
const crypto = require('crypto');
const express = require('express');
const { HARDENED } = require('../config');
const { db } = require('../store');

const router = express.Router();

function findProject(req, res) {
  const project = db.projects.find((p) => p.id === req.params.projectId);
  // "everyone on the board can see every project" — and change and delete them.
  if (!project || (HARDENED && project.ownerId !== req.user.id)) {
    res.status(404).json({ error: 'Project not found' });
    return null;
  }
  return project;
}

router.get('/', (req, res) => {
  res.json(db.projects.filter((p) => p.ownerId === req.user.id));
});

router.post('/', (req, res) => {
  const { name, description } = req.body;
  if (typeof name !== 'string' || !name.trim() || name.length > 100) {
    return res.status(400).json({ error: 'name is required (100 characters at most)' });
  }
  const project = {
    id: crypto.randomUUID(),
    name: name.trim(),
    description: typeof description === 'string' ? description.slice(0, 1000) : '',
    ownerId: req.user.id,
  };
  db.projects.push(project);
  res.status(201).json(project);
});

router.get('/:projectId', (req, res) => {
  const project = findProject(req, res);
  if (project) res.json(project);
});

router.patch('/:projectId', (req, res) => {
  const project = findProject(req, res);
  if (!project) return;
  if (typeof req.body.name === 'string' && req.body.name.trim()) project.name = req.body.name.slice(0, 100);
  if (typeof req.body.description === 'string') project.description = req.body.description.slice(0, 1000);
  res.json(project);
});

router.delete('/:projectId', (req, res) => {
  const project = findProject(req, res);
  if (!project) return;
  db.projects = db.projects.filter((p) => p !== project);
  db.tasks = db.tasks.filter((t) => t.projectId !== project.id);
  res.status(204).end();
});

router.post('/:projectId/tasks', (req, res) => {
  const project = findProject(req, res);
  if (!project) return;
  const { title, done } = req.body;
  if (typeof title !== 'string' || !title.trim() || title.length > 200) {
    return res.status(400).json({ error: 'title is required (200 characters at most)' });
  }
  const task = { id: crypto.randomUUID(), projectId: project.id, title, done: done === true };
  db.tasks.push(task);
  res.status(201).json(task);
});

router.get('/:projectId/tasks', (req, res) => {
  const project = findProject(req, res);
  if (project) res.json(db.tasks.filter((t) => t.projectId === project.id));
});

module.exports = router;
