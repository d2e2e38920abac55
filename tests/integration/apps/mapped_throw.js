// Generated code with an inline source map: line 5 (the throw) comes from src/original.ts:42.
// Under --enable-source-maps node names the original file and line in the stack trace.
console.log('mapped: started');
setTimeout(() => {
  throw new Error('mapped: boom');
}, 300);
//# sourceMappingURL=data:application/json;base64,eyJ2ZXJzaW9uIjozLCJmaWxlIjoibWFwcGVkX3Rocm93LmpzIiwic291cmNlcyI6WyJzcmMvb3JpZ2luYWwudHMiXSwibmFtZXMiOltdLCJtYXBwaW5ncyI6IkFBQUE7QUFBQTtBQUFBO0FBQUE7QUF5Q0EifQ==
