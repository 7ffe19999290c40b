// snowflake-sdk loads the AWS SDK (for stages on S3), which on Node 20 warns, on every command that
// touches Snowflake, that its releases after January 2027 will need Node 22. It says nothing about the
// command being run, so it is turned off with the SDK's own switch for exactly that warning (imported
// before snowflake-sdk, which checks it as it loads). A value the user set is kept.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
