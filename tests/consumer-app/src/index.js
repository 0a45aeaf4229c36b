module.exports = {
  register(/* { strapi } */) {},
  bootstrap(/* { strapi } */) {},
};
