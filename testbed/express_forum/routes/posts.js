// Posts: anyone reads them, members write them. Forms post url-encoded and are answered with
// redirects to the post.

const express = require('express');
const { requireLogin } = require('../lib/guards');

const router = express.Router();

function validPost(body) {
  const title = String(body.title || '').trim();
  const text = String(body.body || '').trim();
  if (!title || !text || title.length > 200 || text.length > 20000) return null;
  return { title, body: text };
}

router.get('/new', requireLogin, (req, res) => res.render('post_form', { post: null, error: null }));

router.post('/', requireLogin, (req, res) => {
  const fields = validPost(req.body);
  if (!fields) {
    return res.status(400).render('post_form', { post: null, error: 'A title (up to 200 characters) and a text are required.' });
  }
  const post = req.app.locals.db.addPost({ authorId: req.session.userId, ...fields });
  res.redirect(`/posts/${post.id}`);
});

function loadPost(req, res, next) {
  const post = req.app.locals.db.findPost(req.params.id);
  if (!post) return res.status(404).render('error', { message: 'No such post.' });
  req.post = post;
  next();
}

router.get('/:id', loadPost, (req, res) => {
  const author = req.app.locals.db.findUser(req.post.authorId);
  res.render('post', { post: req.post, author, own: req.post.authorId === req.session.userId });
});

function ownPostOnly(req, res, next) {
  if (req.post.authorId !== req.session.userId) {
    return res.status(403).render('error', { message: 'That post is not yours.' });
  }
  next();
}

// "Only authors see the Edit button", so the edit form and its save do not check again; the
// twin does.
function authorOnlyWhenHardened(req, res, next) {
  return req.app.locals.hardened ? ownPostOnly(req, res, next) : next();
}

router
  .route('/:id/edit')
  .get(requireLogin, loadPost, authorOnlyWhenHardened, (req, res) => res.render('post_form', { post: req.post, error: null }))
  .post(requireLogin, loadPost, authorOnlyWhenHardened, (req, res) => {
    const fields = validPost(req.body);
    if (!fields) return res.status(400).render('post_form', { post: req.post, error: 'A title and a text are required.' });
    Object.assign(req.post, fields);
    req.app.locals.db.save();
    res.redirect(`/posts/${req.post.id}`);
  });

router.post('/:id/delete', requireLogin, loadPost, ownPostOnly, (req, res) => {
  req.app.locals.db.removePost(req.post.id);
  req.session.flash = 'Post deleted.';
  res.redirect('/');
});

module.exports = router;
