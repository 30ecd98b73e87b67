//! A NestJS app across files: the global prefix, global guards and the routes marked public,
//! controller and handler guards, throttling, and decorated parameters as request data.

use vibeguard_code::{CodeOptions, routes, run};
use vibeguard_project::{ProjectTree, WalkOptions};

fn write(root: &std::path::Path, path: &str, text: &str) {
    let full = root.join(path);
    std::fs::create_dir_all(full.parent().expect("parent")).expect("folders");
    std::fs::write(full, text).expect("write");
}

const MAIN: &str = r#"import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';

async function bootstrap() {
  const app = await NestFactory.create(AppModule);
  app.setGlobalPrefix('api');
  await app.listen(3000);
}
bootstrap();
"#;

const MODULE: &str = r#"import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtAuthGuard } from './auth/jwt-auth.guard';
import { UsersController } from './users/users.controller';

@Module({
  controllers: [UsersController],
  providers: [{ provide: APP_GUARD, useClass: JwtAuthGuard }],
})
export class AppModule {}
"#;

const CONTROLLER: &str = r#"import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { Throttle } from '@nestjs/throttler';
import { DataSource } from 'typeorm';
import { Public } from '../auth/public.decorator';

@Controller({ path: 'users' })
export class UsersController {
  constructor(private readonly db: DataSource) {}

  @Public()
  @Throttle({ default: { limit: 5, ttl: 60000 } })
  @Post('login')
  login(@Body() body: { email: string; password: string }) {
    return this.db.query(`SELECT id FROM users WHERE email = '${body.email}'`);
  }

  @Get(':id')
  findOne(@Param('id') id: string) {
    return this.db.query('SELECT id, email FROM users WHERE id = $1', [id]);
  }

  @Get()
  search(@Query('name') name: string) {
    return this.db.query("SELECT id FROM users WHERE name = '" + name + "'");
  }
}
"#;

#[test]
fn a_nestjs_app_has_its_prefix_global_guard_and_public_routes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(root, "src/main.ts", MAIN);
    write(root, "src/app.module.ts", MODULE);
    write(root, "src/users/users.controller.ts", CONTROLLER);
    let tree = ProjectTree::walk(root, &WalkOptions::default()).expect("walk");
    let (entries, errors) = routes(&tree, &CodeOptions::default());
    assert!(errors.is_empty(), "{errors:?}");
    let mut lines: Vec<String> = entries
        .iter()
        .map(|e| {
            format!(
                "{} {} {} {} {}",
                e.method,
                e.path,
                e.framework,
                if e.authenticated { "auth" } else { "open" },
                if e.rate_limited {
                    "limited"
                } else {
                    "unlimited"
                }
            )
        })
        .collect();
    lines.sort();
    assert_eq!(
        lines,
        [
            "GET /api/users nestjs auth unlimited",
            "GET /api/users/{id} nestjs auth unlimited",
            "POST /api/users/login nestjs open limited",
        ]
    );
    let output = run(&tree, &|_| true, &CodeOptions::default());
    let mut sql: Vec<u32> = output
        .output
        .findings
        .iter()
        .filter(|f| f.code == "VG101")
        .map(|f| f.location.span().map_or(0, |s| s.start_line))
        .collect();
    sql.sort_unstable();
    // The decorated body and query parameters reach the two built queries; the parameterised
    // lookup stays silent.
    assert_eq!(sql, [14, 24], "{:#?}", output.output.findings);
}
