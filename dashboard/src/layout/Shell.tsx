// The frame around every view: top bar (connection state, theme, user,
// sign out) and the navigation, a side list on desktop and a drawer
// behind a menu button on a phone.

import AppBar from "@mui/material/AppBar";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import Drawer from "@mui/material/Drawer";
import IconButton from "@mui/material/IconButton";
import List from "@mui/material/List";
import ListItem from "@mui/material/ListItem";
import ListItemButton from "@mui/material/ListItemButton";
import ListItemText from "@mui/material/ListItemText";
import Toolbar from "@mui/material/Toolbar";
import Tooltip from "@mui/material/Tooltip";
import Typography from "@mui/material/Typography";
import useMediaQuery from "@mui/material/useMediaQuery";
import { useTheme } from "@mui/material/styles";
import { useState, type ReactNode } from "react";
import { useAuth } from "../auth/AuthContext";
import { navigate, VIEWS, type ViewLabel } from "../router";
import type { Mode } from "../theme";
import { ConnectionBadge } from "./ConnectionBadge";

const WIDTH = 190;

interface ShellProps {
  current: ViewLabel;
  mode: Mode;
  onToggleMode: () => void;
  children: ReactNode;
}

function Navigation({ current, onPick }: { current: ViewLabel; onPick: () => void }) {
  return (
    <nav aria-label="Views">
      <List>
        {VIEWS.map((view) => (
          <ListItem key={view.label} disablePadding>
          <ListItemButton
            component="a"
            href={view.path}
            selected={view.label === current}
            aria-current={view.label === current ? "page" : undefined}
            onClick={(event: React.MouseEvent) => {
              event.preventDefault();
              navigate(view.path);
              onPick();
            }}
          >
            <ListItemText primary={view.label} />
          </ListItemButton>
          </ListItem>
        ))}
      </List>
    </nav>
  );
}

export function Shell({ current, mode, onToggleMode, children }: ShellProps) {
  const theme = useTheme();
  const phone = useMediaQuery(theme.breakpoints.down("md"));
  const [open, setOpen] = useState(false);
  const { signed, session } = useAuth();
  return (
    <Box sx={{ display: "flex", minHeight: "100vh" }}>
      <AppBar position="fixed" sx={{ zIndex: (t) => t.zIndex.drawer + 1 }} color="default" elevation={1}>
        <Toolbar variant="dense" sx={{ gap: 1 }}>
          {phone && (
            <IconButton edge="start" aria-label="Open navigation" onClick={() => setOpen(true)}>
              <span aria-hidden style={{ fontSize: 22, lineHeight: 1 }}>
                ☰
              </span>
            </IconButton>
          )}
          <Typography variant="h6" component="h1" sx={{ flexGrow: 1, fontSize: phone ? 16 : 18 }} noWrap>
            SMC Agent · {current}
          </Typography>
          <ConnectionBadge />
          <Tooltip title={mode === "dark" ? "Light theme" : "Dark theme"}>
            <IconButton aria-label={mode === "dark" ? "Switch to light theme" : "Switch to dark theme"} onClick={onToggleMode}>
              <span aria-hidden style={{ fontSize: 18, lineHeight: 1 }}>
                {mode === "dark" ? "☀" : "☾"}
              </span>
            </IconButton>
          </Tooltip>
          {!phone && signed && (
            <Typography variant="body2" data-testid="signed-in-user">
              {signed.claims.sub} ({signed.claims.role})
            </Typography>
          )}
          <Button size="small" sx={{ whiteSpace: "nowrap", flexShrink: 0 }} onClick={() => void session.logout()}>
            Sign out
          </Button>
        </Toolbar>
      </AppBar>
      {phone ? (
        <Drawer open={open} onClose={() => setOpen(false)} slotProps={{ paper: { sx: { width: WIDTH } } }}>
          <Toolbar variant="dense" />
          <Navigation current={current} onPick={() => setOpen(false)} />
        </Drawer>
      ) : (
        <Drawer variant="permanent" sx={{ width: WIDTH, flexShrink: 0, "& .MuiDrawer-paper": { width: WIDTH } }}>
          <Toolbar variant="dense" />
          <Navigation current={current} onPick={() => undefined} />
        </Drawer>
      )}
      <Box component="main" sx={{ flexGrow: 1, minWidth: 0, p: phone ? 1 : 2 }}>
        <Toolbar variant="dense" />
        {children}
      </Box>
    </Box>
  );
}
